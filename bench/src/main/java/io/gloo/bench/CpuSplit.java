package io.gloo.bench;

import io.gloo.core.xds.XdsServer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * Where a benchmark JVM's CPU went between two readings, by who spent it: the publishing thread ({@code main}:
 * translate, publish and, when the xDS server sends on the publishing thread, every send), the xDS server's own
 * threads ({@value XdsServer#THREAD_PREFIX}*: HTTP/2, flow control, socket writes, reading ACKs), the stand-in clients
 * (grpc's client event loops and callback executor, {@code grpc-*}: reading, parsing, ACKing) and the JVM itself
 * (process CPU minus all Java threads: GC and JIT compilation). Clients and server share the JVM and the machine's
 * cores, so the clients' share is CPU a real deployment spends on the proxies' machines instead.
 */
final class CpuSplit {

  /** The categories, in print order. */
  static final String[] NAMES = {"publisher", "server", "clients", "jvm"};

  private final Map<Long, Long> threads;
  private final Map<Long, String> names;
  private final long process;

  private CpuSplit(Map<Long, Long> threads, Map<Long, String> names, long process) {
    this.threads = threads;
    this.names = names;
    this.process = process;
  }

  static CpuSplit now() {
    ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    Map<Long, Long> cpu = new HashMap<>();
    Map<Long, String> names = new HashMap<>();
    for (ThreadInfo info : bean.getThreadInfo(bean.getAllThreadIds())) {
      if (info != null) {
        cpu.put(info.getThreadId(), Math.max(0, bean.getThreadCpuTime(info.getThreadId())));
        names.put(info.getThreadId(), info.getThreadName());
      }
    }
    return new CpuSplit(cpu, names, XdsTlsBench.processCpuNanos());
  }

  /**
   * Nanoseconds per category ({@link #NAMES}) since {@code start}; a pooled thread that ended between the readings
   * takes its time with it (so the JVM's share is an upper bound).
   */
  long[] since(CpuSplit start) {
    long[] out = new long[NAMES.length];
    long java = 0;
    for (Map.Entry<Long, Long> e : threads.entrySet()) {
      long d = e.getValue() - start.threads.getOrDefault(e.getKey(), 0L);
      java += d;
      String name = names.get(e.getKey());
      if (name.equals("main")) {
        out[0] += d;
      } else if (name.startsWith(XdsServer.THREAD_PREFIX)) {
        out[1] += d;
      } else if (name.startsWith("grpc-")) {
        out[2] += d;
      } else {
        out[3] += d;
      }
    }
    out[3] += Math.max(0, process - start.process - java);
    return out;
  }

  static String format(long[] nanos) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < NAMES.length; i++) {
      s.append(i == 0 ? "" : ", ").append(NAMES[i]).append(' ').append(String.format("%.0f", nanos[i] / 1e6));
    }
    return s.append(" ms").toString();
  }
}
