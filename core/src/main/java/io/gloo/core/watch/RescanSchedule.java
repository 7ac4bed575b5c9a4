package io.gloo.core.watch;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * When a watched directory should be rescanned: once a burst of watch events has been quiet for the debounce (or has
 * lasted five debounces, so a steady stream of writes cannot postpone it for ever), at a time the scan asked for
 * ({@link #requestScanAt}: a file held back until it has been quiet), and in any case every
 * {@value #SAFETY_RESCAN_MILLIS} ms, because watch events can be lost (overlay filesystems, queue overflow). Shared by
 * the manifest directory and the plugins directory. Not thread-safe: callers hold their own lock.
 */
public final class RescanSchedule {

  public static final long SAFETY_RESCAN_MILLIS = 2_000;

  private final long debounceNanos;
  /** {@link System#nanoTime()} of the first and the last event of the burst not yet scanned; 0 when none. */
  private long burstStart;
  private long burstLast;
  private long nextSafetyRescan;
  /** {@link System#nanoTime()} of the scan asked for by {@link #requestScanAt}; valid while {@code requested}. */
  private long requestedAt;
  private boolean requested;

  public RescanSchedule(Duration debounce) {
    this.debounceNanos = debounce.toNanos();
    scanned(System.nanoTime());
  }

  /**
   * Whether to rescan now; a {@code true} answer counts as the rescan (the burst and the safety timer restart).
   *
   * @param eventsArrived whether watch events arrived since the last call
   */
  public boolean due(boolean eventsArrived, long now) {
    if (eventsArrived) {
      if (burstStart == 0) {
        burstStart = now;
      }
      burstLast = now;
    }
    if (nanosUntilDue(now) > 0) {
      return false;
    }
    scanned(now);
    return true;
  }

  /**
   * How long until {@link #due} would answer true if no event arrives meanwhile: the end of the debounce (or of the
   * longest burst) when a burst is pending, or the safety rescan, whichever comes first. Zero when already due.
   */
  public long nanosUntilDue(long now) {
    long until = nextSafetyRescan - now; // differences of nanoTime values, never the values themselves, compare
    if (requested) {
      until = Math.min(until, requestedAt - now);
    }
    if (burstStart != 0) {
      until = Math.min(until, Math.min(burstLast + debounceNanos - now, burstStart + 5 * debounceNanos - now));
    }
    return Math.max(0, until);
  }

  /**
   * A scan is wanted at {@code at} ({@link System#nanoTime()}), or earlier if otherwise due; the earliest request
   * counts. Forgotten once a scan ran.
   */
  public void requestScanAt(long at) {
    if (!requested || at - requestedAt < 0) {
      requestedAt = at;
      requested = true;
    }
  }

  /** A full scan happened at {@code now} (e.g. the first one): the safety timer restarts from there. */
  public void scanned(long now) {
    burstStart = 0;
    burstLast = 0;
    requested = false;
    nextSafetyRescan = now + TimeUnit.MILLISECONDS.toNanos(SAFETY_RESCAN_MILLIS);
  }
}
