package io.gloo.bench;

import java.lang.management.ManagementFactory;

/** Heap in use after full GCs (MemoryMXBean): what is retained, not what was allocated. */
final class HeapMeter {

  private HeapMeter() {}

  static long usedAfterGc() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }
}
