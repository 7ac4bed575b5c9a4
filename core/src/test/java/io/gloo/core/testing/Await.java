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

  /**
   * Waits for a condition that takes many steps (a thousand status writes, say) for as long as the steps go on: fails
   * only when {@code progress} (a count, a version) has not changed for {@code stall}. A wall-clock bound on the whole
   * wait fails on a slow or loaded machine that is still getting there; this one fails only on a stuck one. The
   * condition is checked every 50 ms.
   */
  public static void untilWhileProgressing(Duration stall, BooleanSupplier condition, Supplier<?> progress,
      Supplier<String> describe) throws InterruptedException {
    Object last = progress.get();
    long lastChange = System.nanoTime();
    while (!condition.getAsBoolean()) {
      Object now = progress.get();
      if (!java.util.Objects.equals(now, last)) {
        last = now;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > stall.toNanos()) {
        fail("no progress for " + stall.toMillis() + " ms (at " + now + ") and the condition not met: "
            + describe.get());
      }
      Thread.sleep(50);
    }
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
