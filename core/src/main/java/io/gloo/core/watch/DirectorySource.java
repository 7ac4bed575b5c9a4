package io.gloo.core.watch;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.gloo.core.store.ResourceSnapshot;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the manifests ({@code *.yaml}, {@code *.yml}, {@code *.json}) under a directory, recursively, and follows
 * changes to them: the embedded default {@link ConfigSource}.
 *
 * <p>One daemon thread, {@code gloo-directory-watch}, drains a {@link WatchService} (every directory is registered,
 * including ones created later) and rescans the debounce after the last event of a burst (at most five debounce
 * periods after the first, so a steady stream of writes cannot starve it). It also rescans every
 * {@value RescanSchedule#SAFETY_RESCAN_MILLIS} ms, because watch events can be lost (overlay filesystems, queue overflow). A rescan
 * parses only files that changed, and the listener hears about it only if the resources or problems changed.
 *
 * <p>See {@link ManifestParser} for the parsing rules. A file that turns malformed keeps serving its last good
 * resources and its problems are reported in {@link ResourceSnapshot#problems()} and logged once per change.
 * The source fills in {@code metadata.generation} and {@code metadata.resourceVersion} as the apiserver would.
 */
@ThreadSafe
public final class DirectorySource implements ConfigSource {

  private static final Logger LOG = LoggerFactory.getLogger(DirectorySource.class);

  public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(100);
  /** How often the watch thread drains events: small next to the debounce, and {@code poll()} costs nothing. */
  private static final long TICK_MILLIS = 20;
  static final String THREAD_NAME = "gloo-directory-watch";

  private final Path dir;

  private final Object lock = new Object();

  @GuardedBy("lock")
  private final ManifestScanner scanner;
  @GuardedBy("lock")
  private WatchService watchService;
  @GuardedBy("lock")
  private final Map<Path, WatchKey> watchedDirectories = new HashMap<>();
  @GuardedBy("lock")
  private ScheduledExecutorService executor;
  @GuardedBy("lock")
  private Consumer<ResourceSnapshot> listener;
  @GuardedBy("lock")
  private final RescanSchedule schedule;
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
    this.schedule = new RescanSchedule(Objects.requireNonNull(debounce, "debounce"));
    this.scanner = new ManifestScanner(parser, true);
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
   * propagates and the source is closed), then watches. Later snapshots are delivered on the watch thread; an
   * exception from the listener there is logged and watching goes on.
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
      try {
        watchService = FileSystems.getDefault().newWatchService();
      } catch (IOException | UnsupportedOperationException e) {
        LOG.warn("cannot watch {} ({}); relying on rescans every {} ms", dir, e.getMessage(), RescanSchedule.SAFETY_RESCAN_MILLIS);
      }
      // Register before reading, so that a change made while reading still produces an event.
      ManifestFiles.Listing listing = ManifestFiles.list(List.of(dir));
      watch(listing.directories());
      scanner.rescan(listing);
      first = publish();
      schedule.scanned(System.nanoTime());
    }
    LOG.info("loaded {}", describe());
    try {
      listener.accept(first);
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
    synchronized (lock) {
      if (closed) {
        return;
      }
      executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, THREAD_NAME);
        thread.setDaemon(true);
        return thread;
      });
      executor.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Parses every file again, now, even unchanged ones: for after the {@link KindRegistry} changed (a plugin added or
   * removed kinds), so that documents of kinds that were unknown load and documents of kinds that are gone drop out.
   * Runs on the watch thread like any scan (so the listener is still called from one thread at a time), and returns
   * once done: true if the snapshot changed and the listener was called with it. False before {@link #start}, after
   * {@link #close}, or when nothing changed.
   */
  public boolean rescanAll() {
    ScheduledExecutorService watcher;
    synchronized (lock) {
      if (closed || executor == null) {
        return false;
      }
      watcher = executor;
    }
    if (Thread.currentThread().getName().equals(THREAD_NAME)) {
      return scanNow(true);
    }
    try {
      return watcher.submit(() -> scanNow(true)).get();
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return false; // closed meanwhile
    } catch (java.util.concurrent.ExecutionException e) {
      LOG.error("full rescan of {} failed", dir, e.getCause());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
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
    ScheduledExecutorService toStop;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      toStop = executor;
      if (toStop != null) {
        toStop.shutdownNow();
      }
      if (watchService != null) {
        try {
          watchService.close();
        } catch (IOException e) {
          LOG.debug("closing the watch service of {}", dir, e);
        }
      }
      watchedDirectories.clear();
    }
    // Wait for a scan in progress, unless close() was called by the listener on the watch thread itself.
    if (toStop != null && !Thread.currentThread().getName().equals(THREAD_NAME)) {
      try {
        toStop.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** One turn of the watch thread. Never throws: an exception would cancel the periodic task. */
  private void tick() {
    boolean due;
    synchronized (lock) {
      due = !closed && rescanDue();
    }
    if (due) {
      scanNow(false);
    }
  }

  /** Scans (on the watch thread) and notifies the listener if the snapshot changed; returns whether it did. */
  private boolean scanNow(boolean reparseAll) {
    ResourceSnapshot changed;
    Consumer<ResourceSnapshot> notify;
    try {
      synchronized (lock) {
        if (closed) {
          return false;
        }
        ManifestFiles.Listing listing = ManifestFiles.list(List.of(dir));
        watch(listing.directories());
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

  /** Drains watch events and decides whether to rescan now: after a quiet debounce, a long burst, or the timer. */
  @GuardedBy("lock")
  private boolean rescanDue() {
    return schedule.due(drainEvents(), System.nanoTime());
  }

  /** Whether any event arrived. Which file it names does not matter: the rescan compares everything. */
  @GuardedBy("lock")
  private boolean drainEvents() {
    if (watchService == null) {
      return false;
    }
    boolean any = false;
    WatchKey key;
    while ((key = watchService.poll()) != null) {
      any |= !key.pollEvents().isEmpty();
      if (!key.reset()) {
        watchedDirectories.values().remove(key); // its directory is gone
        any = true;
      }
    }
    return any;
  }

  /** Registers directories not yet watched (e.g. created since the last scan) and forgets vanished ones. */
  @GuardedBy("lock")
  private void watch(List<Path> directories) {
    if (watchService == null) {
      return;
    }
    HashSet<Path> wanted = new HashSet<>(directories);
    watchedDirectories.entrySet().removeIf(e -> {
      if (wanted.contains(e.getKey())) {
        return false;
      }
      e.getValue().cancel();
      return true;
    });
    for (Path directory : directories) {
      if (!watchedDirectories.containsKey(directory)) {
        try {
          watchedDirectories.put(directory, directory.register(watchService, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY));
        } catch (IOException e) {
          LOG.debug("cannot watch {}; the periodic rescan covers it", directory, e);
        }
      }
    }
  }

  @GuardedBy("lock")
  private ResourceSnapshot publish() {
    ResourceSnapshot snapshot = scanner.snapshot();
    fileCount = scanner.fileCount();
    current = snapshot;
    return snapshot;
  }
}
