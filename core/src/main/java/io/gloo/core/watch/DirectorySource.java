package io.gloo.core.watch;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.store.SourceProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the manifests ({@code *.yaml}, {@code *.yml}, {@code *.json}) under a directory, recursively, and follows
 * changes to them: the embedded default {@link ConfigSource}.
 *
 * <p>A {@link WatchLoop} thread, {@code gloo-directory-watch}, waits for file-system events (every directory is
 * watched, including ones created later) and rescans the debounce after the last event of a burst (at most five
 * debounce periods after the first, so a steady stream of writes cannot starve it), and every
 * {@value RescanSchedule#SAFETY_RESCAN_MILLIS} ms in any case, because watch events can be lost (overlay
 * filesystems, queue overflow). A rescan parses only files that changed, and the listener hears about it only if the
 * resources or problems changed.
 *
 * <p>The debounce is short ({@link #DEFAULT_DEBOUNCE}): it only gathers the files of one change (a copy of several
 * files) into one snapshot. What keeps a half-written file from being served is {@link WriteSettling}: a file moved
 * into place is read at once, a file written in place only once it has been unchanged for the settle time
 * ({@link WriteSettling#DEFAULT_SETTLE}), and meanwhile it keeps serving its last good resources. Nothing is
 * withdrawn without a word: a file that turns malformed, is being written or cannot be read keeps serving what it
 * last served, with a problem naming it in {@link ResourceSnapshot#problems()} and a WARN line; only a file that is
 * gone, or read and changed, withdraws resources. If the directory itself vanishes, everything last read keeps
 * serving, with a problem, and {@link #notReadyReason} says so until it is back (found by the periodic rescan). See
 * {@link ManifestParser} for the parsing rules. The source fills in {@code metadata.generation} and
 * {@code metadata.resourceVersion} as the apiserver would.
 */
@ThreadSafe
public final class DirectorySource implements ConfigSource {

  private static final Logger LOG = LoggerFactory.getLogger(DirectorySource.class);

  public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(25);
  /** The largest manifest file read by default (16 MiB); a larger one is reported as unreadable. */
  public static final long DEFAULT_MAX_MANIFEST_BYTES = 16L << 20;
  static final String THREAD_NAME = "gloo-directory-watch";

  private final Path dir;
  private final WatchLoop loop;

  private final Object lock = new Object();

  @GuardedBy("lock")
  private final ManifestScanner scanner;
  @GuardedBy("lock")
  private Consumer<ResourceSnapshot> listener;
  @GuardedBy("lock")
  private boolean closed;

  private volatile ResourceSnapshot current = ResourceSnapshot.empty();
  private volatile java.util.function.LongConsumer parseTime = nanos -> { };
  private volatile int fileCount;
  /** Files serving what they last read, and why (for {@link #describe}). */
  private volatile Map<Path, SourceProblem> held = Map.of();
  /** Set while the directory is gone. */
  private volatile boolean gone;

  public DirectorySource(Path dir) {
    this(dir, DEFAULT_DEBOUNCE);
  }

  public DirectorySource(Path dir, Duration debounce) {
    this(dir, debounce, new ManifestParser());
  }

  /** With a parser whose {@link KindRegistry} knows plugin kinds. */
  public DirectorySource(Path dir, Duration debounce, ManifestParser parser) {
    this(dir, debounce, parser, DEFAULT_MAX_MANIFEST_BYTES);
  }

  /**
   * @param maxManifestBytes the largest file read; a larger one keeps serving its last good resources, with a
   *     problem naming it
   */
  public DirectorySource(Path dir, Duration debounce, ManifestParser parser, long maxManifestBytes) {
    this(dir, debounce, WriteSettling.DEFAULT_SETTLE, parser, maxManifestBytes);
  }

  /** @param settle how long a file written in place must be unchanged before it is read ({@link WriteSettling}) */
  DirectorySource(Path dir, Duration debounce, Duration settle, ManifestParser parser) {
    this(dir, debounce, settle, parser, DEFAULT_MAX_MANIFEST_BYTES);
  }

  DirectorySource(Path dir, Duration debounce, Duration settle, ManifestParser parser, long maxManifestBytes) {
    this.dir = dir.toAbsolutePath().normalize();
    this.scanner = new ManifestScanner(parser, true, settle, maxManifestBytes);
    this.loop = new WatchLoop(THREAD_NAME, this.dir, debounce, events -> scanNow(false, events));
  }

  /** The directory served (absolute, normalized). */
  public Path directory() {
    return dir;
  }

  /**
   * Loads files and/or directories once, without watching, with the same rules as a watched directory (used by
   * {@code gloo translate -f PATH...}). A path that does not exist is reported as a problem.
   */
  public static ResourceSnapshot load(List<Path> paths) {
    return load(paths, new ManifestParser());
  }

  /** {@link #load(List)} with a parser whose {@link KindRegistry} knows plugin kinds. */
  public static ResourceSnapshot load(List<Path> paths, ManifestParser parser) {
    return load(paths, parser, DEFAULT_MAX_MANIFEST_BYTES);
  }

  /** {@link #load(List, ManifestParser)}; a file over {@code maxManifestBytes} is reported, not read. */
  public static ResourceSnapshot load(List<Path> paths, ManifestParser parser, long maxManifestBytes) {
    ManifestScanner scanner = new ManifestScanner(parser, false, Duration.ZERO, maxManifestBytes);
    scanner.rescan(ManifestFiles.list(paths));
    return scanner.snapshot();
  }

  /**
   * Loads the directory, hands the first snapshot to {@code listener} on the calling thread (an exception from it
   * propagates and the source is closed), then watches. Later snapshots are delivered on the watch thread, or on
   * the thread that calls {@link #rescanAll}, one at a time; an exception from the listener there is logged and
   * watching goes on.
   */
  @Override
  public void timeParsing(java.util.function.LongConsumer nanos) {
    parseTime = Objects.requireNonNull(nanos, "nanos");
  }

  @Override
  public void start(Consumer<ResourceSnapshot> listener) {
    Objects.requireNonNull(listener, "listener");
    ResourceSnapshot first;
    synchronized (lock) {
      if (this.listener != null || closed) {
        throw new IllegalStateException("DirectorySource can be started once");
      }
      this.listener = listener;
      long start = System.nanoTime();
      scanLocked(false, FileEvents.UNKNOWN);
      first = publish();
      parseTime.accept(System.nanoTime() - start);
    }
    LOG.info("loaded {}", describe());
    try {
      listener.accept(first);
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
    synchronized (lock) {
      if (!closed) {
        loop.start();
      }
    }
  }

  /**
   * Parses every file again, now, even unchanged ones: for after the {@link KindRegistry} changed (a plugin added or
   * removed kinds), so that documents of kinds that were unknown load and documents of kinds that are gone drop out.
   * Runs on the calling thread, never at the same time as a scan of the watch thread (so the listener is still
   * called by one thread at a time), and returns once done: true if the snapshot changed and the listener was
   * called with it. False before {@link #start}, after {@link #close}, or when nothing changed.
   */
  public boolean rescanAll() {
    synchronized (lock) {
      if (listener == null || closed) { // not started, or closed
        return false;
      }
    }
    return loop.exclusive(() -> scanNow(true, loop.takeEvents()));
  }

  @Override
  public ResourceSnapshot current() {
    return current;
  }

  /**
   * {@code directory DIR (N files, M resources)}, plus what is degraded: files that serve what they last read (being
   * written, unreadable) and a directory that is gone.
   */
  @Override
  public String describe() {
    StringBuilder sb = new StringBuilder("directory ").append(dir).append(" (").append(fileCount).append(" files, ")
        .append(current.size()).append(" resources)");
    if (gone) {
      sb.append("; degraded: the directory is gone, serving what was last read from it");
    }
    Map<Path, SourceProblem> heldNow = held;
    if (!heldNow.isEmpty()) {
      sb.append("; degraded: ").append(heldNow.size()).append(heldNow.size() == 1 ? " file serves" : " files serve")
          .append(" what it last read: ");
      heldNow.values().stream().limit(3).forEach(p -> sb.append(p).append("; "));
      sb.setLength(sb.length() - 2);
      if (heldNow.size() > 3) {
        sb.append("; ...");
      }
    }
    return sb.toString();
  }

  /**
   * Not ready while the directory is gone (deleted, unmounted): the snapshot still serves what was last read from
   * it, but no longer follows the directory. A file being written or unreadable does not make the source not ready
   * ({@link #describe} says it is degraded): the rest of the directory is followed as usual.
   */
  @Override
  public String notReadyReason() {
    return gone ? "config directory " + dir + " is gone; serving what was last read from it until it is back" : null;
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    loop.close(); // waits for a scan in progress, unless called by the listener on the watch thread itself
  }

  /** Scans and notifies the listener if the snapshot changed; returns whether it did. Callers hold the loop's lock. */
  private boolean scanNow(boolean reparseAll, FileEvents events) {
    ResourceSnapshot changed;
    Consumer<ResourceSnapshot> notify;
    try {
      synchronized (lock) {
        if (closed) {
          return false;
        }
        long start = System.nanoTime();
        changed = scanLocked(reparseAll, events) ? publish() : null;
        notify = listener;
        if (changed != null) {
          parseTime.accept(System.nanoTime() - start);
        }
      }
    } catch (RuntimeException e) {
      LOG.error("rescanning {} failed; retrying on the next change", dir, e);
      return false;
    }
    if (changed != null) {
      LOG.info("reloaded {}", describe());
      try {
        notify.accept(changed);
      } catch (RuntimeException | LinkageError | AssertionError e) {
        LOG.error("config listener failed on a snapshot of {}; still watching", dir, e);
      }
    }
    return changed != null;
  }

  /** Reads what changed (or holds everything if the directory is gone); returns whether the snapshot changed. */
  @GuardedBy("lock")
  private boolean scanLocked(boolean reparseAll, FileEvents events) {
    if (!Files.isDirectory(dir)) {
      loop.watch(List.of());
      if (!gone) {
        gone = true;
        LOG.warn("config directory {} is gone: serving the {} resources last read from it until it is back (not ready"
            + " meanwhile)", dir, current.size());
      }
      String what = FileStat.describeNonFile(dir);
      return scanner.holdAll(new SourceProblem(dir.toString(), 0, 0, "the config directory "
          + (what == null ? "does not exist" : "is now " + what) + ": serving the resources last read from it until"
          + " it is back"));
    }
    if (gone) {
      gone = false;
      LOG.info("config directory {} is back", dir);
    }
    // Watch before reading, so that a change made while reading still produces an event.
    ManifestFiles.Listing listing = ManifestFiles.list(List.of(dir));
    loop.watch(listing.directories());
    boolean changed = scanner.rescan(listing, reparseAll, events);
    scanner.nextCheck().ifPresent(loop::scanAt);
    return changed;
  }

  @GuardedBy("lock")
  private ResourceSnapshot publish() {
    ResourceSnapshot snapshot = scanner.snapshot();
    fileCount = scanner.fileCount();
    held = scanner.heldFiles();
    current = snapshot;
    return snapshot;
  }
}
