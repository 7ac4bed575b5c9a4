package io.gloo.core.watch;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * When a manifest file that changed may be read: the rule that keeps a half-written file from being served.
 *
 * <p>A file is read at once when it is known to be whole: it was moved (or hard-linked) into place after it was
 * written, seen as create events without a modify event ({@link FileEvents#arrivedWhole}), or its change time is
 * later than its modification time ({@link FileStat#renamedAfterWrite}: renamed, chmod-ed or its times set after
 * the last write). That is how {@code mv}, {@code rsync}, {@code sed -i}, {@code cp -p}, {@code install} and most
 * deployment tools put files in place, and it keeps a one-file change fast.
 *
 * <p>Any other change (written in place: {@code cat > f}, {@code cp}, an editor that saves over the file) is read
 * only once the file's size, modification time, change time and identity have stayed the same for the settle time:
 * a writer that pauses for less than that between two writes never has its partial content served. A writer that
 * pauses longer defeats it (no rule about time can tell a paused writer from a finished one); write beside the
 * directory and move the file in to be safe and fast. Not thread-safe: one scanner uses it.
 */
final class WriteSettling {

  /** How long a file written in place must stay unchanged before it is read, unless told otherwise. */
  static final Duration DEFAULT_SETTLE = Duration.ofSeconds(1);

  /** A held file: the stat last seen and since when ({@link System#nanoTime()}) it has not changed. */
  private record Pending(FileStat stat, long sinceNanos) {}

  private final long settleNanos;
  private final Map<Path, Pending> pending = new HashMap<>();

  /** @param settle the quiet time; zero reads every file at once (offline loads) */
  WriteSettling(Duration settle) {
    this.settleNanos = settle.toNanos();
  }

  long settleMillis() {
    return settleNanos / 1_000_000;
  }

  /**
   * Whether {@code file}, whose content may have changed and now has {@code stat}, may be read now. If not, it is
   * held: {@link #nextCheck} says when to look again.
   */
  boolean mayRead(Path file, FileStat stat, FileEvents events, long nowNanos) {
    if (settleNanos == 0 || stat.renamedAfterWrite() || events.arrivedWhole(file, stat)) {
      pending.remove(file);
      return true;
    }
    Pending p = pending.get(file);
    if (p == null || !p.stat().equals(stat)) {
      pending.put(file, new Pending(stat, nowNanos));
      return false;
    }
    return nowNanos - p.sinceNanos() >= settleNanos;
  }

  /** The file changed while it was being read (now {@code stat}): hold it as if just written. */
  void changedWhileReading(Path file, FileStat stat, long nowNanos) {
    pending.put(file, new Pending(stat, nowNanos));
  }

  /** The file was read, or is gone: forget that it was held. */
  void done(Path file) {
    pending.remove(file);
  }

  /** When ({@link System#nanoTime()}) the earliest held file will have been quiet for the settle time. */
  OptionalLong nextCheck() {
    OptionalLong first = OptionalLong.empty();
    for (Pending p : pending.values()) {
      long at = p.sinceNanos() + settleNanos;
      if (first.isEmpty() || at - first.getAsLong() < 0) { // nanoTime values compare by their difference
        first = OptionalLong.of(at);
      }
    }
    return first;
  }
}
