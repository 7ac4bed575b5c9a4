package io.gloo.core.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Bounded waits for a condition. The condition is re-checked whenever something arrives on a wake-up queue (fed by
 * the listeners of the component under test) and at least every 50 ms, so a missed wake-up costs a few milliseconds,
 * never correctness; the wait fails after its timeout.
 */
public final class Await {

  private Await() {}

  /**
   * As {@link #until(BlockingQueue, Duration, BooleanSupplier, Supplier)} for a component with no listener to wake
   * the wait: the condition is checked every 50 ms.
   */
  public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> describe)
      throws InterruptedException {
    until(new java.util.concurrent.LinkedBlockingQueue<>(), timeout, condition, describe);
  }

  public static void until(BlockingQueue<?> wakeUps, Duration timeout, BooleanSupplier condition,
      Supplier<String> describe) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        fail("condition not met within " + timeout.toMillis() + " ms: " + describe.get());
      }
      wakeUps.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
    }
  }
}
