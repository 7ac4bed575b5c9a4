package io.gloo.core.admin;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * What Jetty would otherwise find out the slow way when its first server starts (issue #21, {@code gloo serve} ready
 * sooner).
 *
 * <p>Jetty's {@code MemoryUtils} pads its queues to a cache line and, unless the system property
 * {@value #REFERENCES_PER_CACHE_LINE} says how many object references fit one, asks the platform MBean server whether
 * compressed oops are on. Creating that server registers every platform MXBean, JFR's and the logging one among them:
 * about 1.3 s of a loaded 2-core machine's 25 s start-up (class-loading timeline, bench/README.md), all of it for one
 * flag. {@link #tellReferenceSize()} reads the same flag from its own MXBean, without the server, and gives Jetty the
 * answer it would have computed ({@code cacheLineBytes} / 4 with compressed oops, / 8 without). A value set by the
 * operator is kept; on a JVM without the HotSpot MXBean Jetty is left to its own way.
 *
 * <p>{@link #connector} builds the Jetty server of an admin-style port ({@link AdminServer}, {@link MetricsServer}).
 */
final class JettyStartup {

  static final String REFERENCES_PER_CACHE_LINE = "org.eclipse.jetty.util.referencesPerCacheLine";
  private static final String CACHE_LINE_BYTES = "org.eclipse.jetty.util.cacheLineBytes";

  private JettyStartup() {}

  /**
   * A Jetty server (not started) with one HTTP/1.1 connector on {@code address}: a few daemon threads named
   * {@code threadName}, requests parsed on the NIO selector (a half-sent request holds no thread), idle connections
   * closed after {@code idleSeconds}, no Server or X-Powered-By header. The server is the connector's.
   */
  static ServerConnector connector(InetSocketAddress address, String threadName, int maxThreads, long idleSeconds) {
    tellReferenceSize();
    QueuedThreadPool threads = new QueuedThreadPool(maxThreads, 2);
    threads.setName(threadName);
    threads.setDaemon(true);
    threads.setReservedThreads(0);
    Server jetty = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    ServerConnector connector = new ServerConnector(jetty, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress());
    connector.setPort(address.getPort());
    connector.setIdleTimeout(Duration.ofSeconds(idleSeconds).toMillis());
    jetty.addConnector(connector);
    return connector;
  }

  /** Sets {@value #REFERENCES_PER_CACHE_LINE} unless it is set; before Jetty's {@code MemoryUtils} is initialised. */
  static void tellReferenceSize() {
    if (System.getProperty(REFERENCES_PER_CACHE_LINE) != null) {
      return;
    }
    boolean compressedOops;
    try {
      compressedOops = Boolean.parseBoolean(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
          .getVMOption("UseCompressedOops").getValue());
    } catch (RuntimeException | LinkageError notHotSpot) {
      return;
    }
    int cacheLine;
    try {
      cacheLine = Integer.parseInt(System.getProperty(CACHE_LINE_BYTES, "64"));
    } catch (NumberFormatException e) {
      return; // Jetty falls back to 64 itself; let it decide the rest too
    }
    System.setProperty(REFERENCES_PER_CACHE_LINE, String.valueOf(compressedOops ? cacheLine >> 2 : cacheLine >> 3));
  }
}
