package io.gloo.core.watch;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.gloo.core.store.ResourceSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * <p>The debounce is short ({@link #DEFAULT_DEBOUNCE}) because it is not what keeps a half-written file from doing
 * harm: a file that turns malformed keeps serving its last good resources, and its problems are reported in
 * {@link ResourceSnapshot#problems()} and logged once per change. The debounce gathers the files of one change (an
 * editor's truncate-then-write, a copy of several files) into one snapshot. See {@link ManifestParser} for the
 * parsing rules. The source fills in {@code metadata.generation} and {@code metadata.resourceVersion} as the
 * apiserver would.
 */
@ThreadSafe
public final class DirectorySource implements ConfigSource {

  private static final Logger LOG = LoggerFactory.getLogger(DirectorySource.class);

  public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(25);
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
  private volatile int fileCount;

  public DirectorySource(Path dir) {
    this(dir, DEFAULT_DEBOUNCE);
  }

  public DirectorySource(Path dir, Duration debounce) {
    this(dir, debounce, new ManifestParser());
  }

  /** With a parser whose {@link KindRegistry} knows plugin kinds. */
  public DirectorySource(Path dir, Duration debounce, ManifestParser parser) {
    this.dir = dir.toAbsolutePath().normalize();
    this.scanner = new ManifestScanner(parser, true);
    this.loop = new WatchLoop(THREAD_NAME, this.dir, debounce, () -> scanNow(false));
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
    ManifestScanner scanner = new ManifestScanner(parser, false);
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
  public void start(Consumer<ResourceSnapshot> listener) {
    Objects.requireNonNull(listener, "listener");
    ResourceSnapshot first;
    synchronized (lock) {
      if (this.listener != null || closed) {
        throw new IllegalStateException("DirectorySource can be started once");
      }
      this.listener = listener;
      // Watch before reading, so that a change made while reading still produces an event.
      ManifestFiles.Listing listing = ManifestFiles.list(List.of(dir));
      loop.watch(listing.directories());
      scanner.rescan(listing);
      first = publish();
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
    return loop.exclusive(() -> scanNow(true));
  }

  @Override
  public ResourceSnapshot current() {
    return current;
  }

  @Override
  public String describe() {
    return "directory " + dir + " (" + fileCount + " files, " + current.size() + " resources)";
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
  private boolean scanNow(boolean reparseAll) {
    ResourceSnapshot changed;
    Consumer<ResourceSnapshot> notify;
    try {
      synchronized (lock) {
        if (closed) {
          return false;
        }
        ManifestFiles.Listing listing = ManifestFiles.list(List.of(dir));
        loop.watch(listing.directories());
        changed = scanner.rescan(listing, reparseAll) ? publish() : null;
        notify = listener;
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

  @GuardedBy("lock")
  private ResourceSnapshot publish() {
    ResourceSnapshot snapshot = scanner.snapshot();
    fileCount = scanner.fileCount();
    current = snapshot;
    return snapshot;
  }
}
