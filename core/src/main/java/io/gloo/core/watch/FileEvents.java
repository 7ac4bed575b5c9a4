package io.gloo.core.watch;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The watch events seen for each path since the previous scan, as far as they tell whether a file was written in
 * place: a file that only appeared (a create event, no modify event) was moved or linked into place whole, while a
 * modify event means someone wrote to it here, maybe not yet to the end. Java's watch service maps Linux's
 * {@code IN_MOVED_TO} and {@code IN_CREATE} to a create event and {@code IN_MODIFY} and {@code IN_ATTRIB} to a modify
 * event, so a file created in place and written shows both. When the event queue overflowed nothing is known.
 * Immutable.
 */
final class FileEvents {

  /** No events known (the first scan, a scan of a source without watch events, or after an overflow). */
  static final FileEvents UNKNOWN = new FileEvents(Map.of(), true);

  /**
   * @param createdAtMillis wall-clock time the latest create event was seen; 0 when none
   * @param modified whether a modify event was seen
   */
  record Seen(long createdAtMillis, boolean modified) {}

  private final Map<Path, Seen> seen;
  private final boolean overflowed;

  private FileEvents(Map<Path, Seen> seen, boolean overflowed) {
    this.seen = seen;
    this.overflowed = overflowed;
  }

  /**
   * Whether {@code file} arrived whole: events for it were only creates (no write here since the first one) and its
   * modification time is no later than the latest create was seen, so the content was written before it appeared.
   * The second condition catches a write whose event the scan did not receive yet.
   */
  boolean arrivedWhole(Path file, FileStat stat) {
    Seen s = overflowed ? null : seen.get(file);
    return s != null && !s.modified() && s.createdAtMillis() > 0 && stat.size() > 0
        && stat.modified().toMillis() <= s.createdAtMillis();
  }

  @Override
  public String toString() {
    return overflowed ? "FileEvents[overflowed]" : "FileEvents" + seen;
  }

  /** Collects events until {@link #take}. Not thread-safe: the watch loop guards it. */
  static final class Collector {
    private Map<Path, Seen> seen = new HashMap<>();
    private boolean overflowed;

    void created(Path file, long nowMillis) {
      Seen old = seen.get(file);
      seen.put(file, new Seen(nowMillis, old != null && old.modified()));
    }

    void modified(Path file) {
      Seen old = seen.get(file);
      seen.put(file, new Seen(old == null ? 0 : old.createdAtMillis(), true));
    }

    void overflowed() {
      overflowed = true;
    }

    /** What was collected since the last call; starts collecting afresh. */
    FileEvents take() {
      if (seen.isEmpty() && !overflowed) {
        return new FileEvents(Map.of(), false);
      }
      FileEvents events = new FileEvents(seen, overflowed);
      seen = new HashMap<>();
      overflowed = false;
      return events;
    }
  }
}
