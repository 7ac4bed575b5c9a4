package io.gloo.core.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The schedule on a synthetic clock: when a scan is due, and how long the watch thread may sleep until then. */
class RescanScheduleTest {

  private static final long MS = 1_000_000;
  private static final long T = 1_000_000 * MS;

  @Test
  void aBurstIsScannedTheDebounceAfterItsLastEvent() {
    RescanSchedule schedule = new RescanSchedule(Duration.ofMillis(100));
    schedule.scanned(T);
    assertEquals(RescanSchedule.SAFETY_RESCAN_MILLIS * MS, schedule.nanosUntilDue(T), "idle: the safety rescan");

    assertFalse(schedule.due(true, T + 10 * MS));
    assertEquals(100 * MS, schedule.nanosUntilDue(T + 10 * MS));
    assertFalse(schedule.due(true, T + 50 * MS));
    assertEquals(100 * MS, schedule.nanosUntilDue(T + 50 * MS), "a new event restarts the debounce");
    assertEquals(1 * MS, schedule.nanosUntilDue(T + 149 * MS));
    assertFalse(schedule.due(false, T + 149 * MS));
    assertTrue(schedule.due(false, T + 150 * MS));
    assertEquals(RescanSchedule.SAFETY_RESCAN_MILLIS * MS, schedule.nanosUntilDue(T + 150 * MS),
        "after a scan, the safety timer starts again");
  }

  @Test
  void aSteadyStreamOfEventsIsScannedAfterFiveDebounces() {
    RescanSchedule schedule = new RescanSchedule(Duration.ofMillis(100));
    schedule.scanned(T);
    for (long at = 0; at < 500; at += 50) {
      assertFalse(schedule.due(true, T + at * MS), "at " + at + " ms");
    }
    assertEquals(0, schedule.nanosUntilDue(T + 500 * MS));
    assertTrue(schedule.due(true, T + 500 * MS));
  }

  @Test
  void withoutEventsTheSafetyRescanComes() {
    RescanSchedule schedule = new RescanSchedule(Duration.ofMillis(100));
    schedule.scanned(T);
    long safety = RescanSchedule.SAFETY_RESCAN_MILLIS * MS;
    assertFalse(schedule.due(false, T + safety - 1));
    assertEquals(1, schedule.nanosUntilDue(T + safety - 1));
    assertTrue(schedule.due(false, T + safety));
    assertEquals(0, new RescanSchedule(Duration.ofMillis(100)).nanosUntilDue(Long.MAX_VALUE / 2),
        "never negative");
  }

  @Test
  void aRequestedScanComesAtItsTimeAndIsForgottenOnceScanned() {
    RescanSchedule schedule = new RescanSchedule(Duration.ofMillis(100));
    schedule.scanned(T);
    schedule.requestScanAt(T + 700 * MS);
    schedule.requestScanAt(T + 900 * MS); // a later request does not postpone the earlier one
    assertEquals(700 * MS, schedule.nanosUntilDue(T));
    assertFalse(schedule.due(false, T + 699 * MS));
    assertTrue(schedule.due(false, T + 700 * MS));
    assertEquals(RescanSchedule.SAFETY_RESCAN_MILLIS * MS, schedule.nanosUntilDue(T + 700 * MS),
        "served: back to the safety rescan");
    schedule.requestScanAt(T + 800 * MS);
    assertFalse(schedule.due(true, T + 750 * MS));
    assertEquals(50 * MS, schedule.nanosUntilDue(T + 750 * MS), "the request comes before the debounce ends");
  }
}
