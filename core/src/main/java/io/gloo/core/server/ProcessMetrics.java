package io.gloo.core.server;

import com.google.errorprone.annotations.ThreadSafe;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JVM and process series an operator alerts on, in Prometheus names: {@code jvm_memory_used_bytes{area,id}}
 * (and committed, max), {@code jvm_gc_pause_seconds}, {@code jvm_threads_*}, {@code jvm_classes_loaded_classes},
 * {@code process_cpu_usage}, {@code system_cpu_usage}, {@code process_files_open_files} and {@code _max_files},
 * {@code process_uptime_seconds}, and {@code process_resident_memory_bytes} where {@code /proc/self/status} gives it
 * (Linux). Bound by {@code gloo serve} and by the standalone plugin servers' metrics port. {@link #close} stops the
 * GC listener. Thread-safe (Micrometer's binders are).
 */
@ThreadSafe
public final class ProcessMetrics implements AutoCloseable {

  private static final Path PROC_STATUS = Path.of("/proc/self/status");

  private final JvmGcMetrics gc = new JvmGcMetrics();

  public ProcessMetrics(MeterRegistry registry) {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    if (residentBytes() >= 0) {
      Gauge.builder("process.resident.memory", ProcessMetrics::residentBytes)
          .baseUnit("bytes")
          .description("resident set size of the control plane's process (VmRSS)")
          .register(registry);
    }
  }

  /** VmRSS from {@code /proc/self/status}, in bytes; -1 where there is none. */
  static double residentBytes() {
    try {
      for (String line : Files.readAllLines(PROC_STATUS)) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024.0; // the kernel writes kB
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or no procfs: no such series
    }
    return -1;
  }

  @Override
  public void close() {
    gc.close();
  }
}
