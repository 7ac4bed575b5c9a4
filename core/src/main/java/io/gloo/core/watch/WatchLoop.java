package io.gloo.core.watch;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread that waits for file-system events in some directories and runs a scan when one is due by the
 * {@link RescanSchedule}: the debounce after the last event of a burst, and every
 * {@value RescanSchedule#SAFETY_RESCAN_MILLIS} ms in any case. The thread blocks in {@link WatchService#poll(long,
 * TimeUnit)} with a timeout of exactly the time until the next scan is due, so an event is seen when it arrives and
 * the debounce is the only delay between a change and its scan (a fixed polling tick would add up to a tick on each
 * side of the debounce).
 *
 * <p>Scans never overlap: the loop's own and those run through {@link #exclusive} take the same lock, so a scan and
 * whatever it notifies finish before the next begins and listeners never see snapshots out of order. Which
 * directories are watched is up to the scan: it passes what it found to {@link #watch} (new ones are registered,
 * vanished ones forgotten). Shared by the manifest directory and the plugins directory.
 *
 * <p>The scan is told which paths had create and modify events since the previous scan ({@link FileEvents}; the
 * queue is drained once more just before, so that writes made during the debounce are in it), and can ask for a
 * scan at a given time ({@link #scanAt}), e.g. when a file it holds back must have been quiet for a while.
 */
@ThreadSafe
public final class WatchLoop implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WatchLoop.class);

  private final String threadName;
  private final Object describe;
  private final Consumer<FileEvents> scan;
  private final ReentrantLock scanLock = new ReentrantLock();

  private final Object lock = new Object();
  @GuardedBy("lock")
  private final RescanSchedule schedule;
  /** Opened on first use; null before, and when the file system cannot be watched (then only rescans run). */
  @GuardedBy("lock")
  private WatchService watchService;
  @GuardedBy("lock")
  private boolean watchServiceOpened;
  @GuardedBy("lock")
  private final Map<Path, WatchKey> watched = new HashMap<>();
  @GuardedBy("lock")
  private Thread thread;
  @GuardedBy("lock")
  private boolean closed;
  @GuardedBy("lock")
  private final FileEvents.Collector events = new FileEvents.Collector();

  /**
   * @param threadName the name of the loop's thread
   * @param describe what is watched, for log lines
   * @param debounce how long a burst of events must be quiet before the scan
   * @param scan what to run when a scan is due; an exception from it is logged and the loop goes on
   */
  public WatchLoop(String threadName, Object describe, Duration debounce, Runnable scan) {
    this(threadName, describe, debounce, ignoredEvents -> scan.run());
    Objects.requireNonNull(scan, "scan");
  }

  /** Like {@link #WatchLoop(String, Object, Duration, Runnable)}; the scan is told the events since the last one. */
  WatchLoop(String threadName, Object describe, Duration debounce, Consumer<FileEvents> scan) {
    this.threadName = Objects.requireNonNull(threadName, "threadName");
    this.describe = describe;
    this.schedule = new RescanSchedule(Objects.requireNonNull(debounce, "debounce"));
    this.scan = Objects.requireNonNull(scan, "scan");
  }

  /**
   * Watches exactly these directories from now on (not recursively: pass every one): registers those not yet
   * watched and forgets the others. Call it before reading them, so a change made while reading still produces an
   * event.
   */
  public void watch(Collection<Path> directories) {
    synchronized (lock) {
      if (closed || openWatchService() == null) {
        return;
      }
      HashSet<Path> wanted = new HashSet<>(directories);
      watched.entrySet().removeIf(e -> {
        if (wanted.contains(e.getKey()) && e.getValue().isValid()) {
          return false;
        }
        e.getValue().cancel();
        return true;
      });
      for (Path directory : wanted) {
        if (!watched.containsKey(directory)) {
          try {
            watched.put(directory, directory.register(watchService, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY));
          } catch (IOException | ClosedWatchServiceException e) {
            LOG.debug("cannot watch {}; the periodic rescan covers it", directory, e);
          }
        }
      }
    }
  }

  @GuardedBy("lock")
  private WatchService openWatchService() {
    if (!watchServiceOpened) {
      watchServiceOpened = true;
      try {
        watchService = FileSystems.getDefault().newWatchService();
      } catch (IOException | UnsupportedOperationException e) {
        LOG.warn("cannot watch {} ({}); rescanning every {} ms", describe, e.getMessage(),
            RescanSchedule.SAFETY_RESCAN_MILLIS);
      }
    }
    return watchService;
  }

  /** Starts the thread; the safety timer counts from now (the caller has just scanned). */
  public void start() {
    synchronized (lock) {
      if (thread != null || closed) {
        throw new IllegalStateException("a WatchLoop starts once");
      }
      openWatchService();
      schedule.scanned(System.nanoTime());
      thread = new Thread(this::run, threadName);
      thread.setDaemon(true);
      // Never inherit a plugin's loader from whoever happens to start us.
      thread.setContextClassLoader(WatchLoop.class.getClassLoader());
      thread.start();
    }
  }

  /**
   * Asks for a scan at {@link System#nanoTime()} {@code at} (or at the debounce or safety time, if earlier). Called
   * from a scan, it takes effect at once; from another thread, once the loop next wakes (at the latest at the safety
   * rescan).
   */
  public void scanAt(long at) {
    synchronized (lock) {
      schedule.requestScanAt(at);
    }
  }

  /**
   * The events seen since the last scan (draining what is queued now), and forgets them: for a scan run through
   * {@link #exclusive}. {@link FileEvents#UNKNOWN} when nothing can be known (no watch service).
   */
  FileEvents takeEvents() {
    WatchService service;
    synchronized (lock) {
      service = watchService;
    }
    if (service == null) {
      return FileEvents.UNKNOWN;
    }
    try {
      drain(service, service.poll());
    } catch (ClosedWatchServiceException e) {
      // closed meanwhile: what was collected is all there is
    }
    synchronized (lock) {
      return events.take();
    }
  }

  /** Runs {@code work} on the calling thread, never at the same time as a scan of the loop or another call. */
  public <T> T exclusive(Supplier<T> work) {
    scanLock.lock();
    try {
      return work.get();
    } finally {
      scanLock.unlock();
    }
  }

  /** Stops the loop and waits (up to 10 s) for a scan in progress, unless called from that scan. */
  @Override
  public void close() {
    Thread toJoin;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      toJoin = thread;
      watched.clear();
      if (watchService != null) {
        try {
          watchService.close(); // wakes a poll() in progress
        } catch (IOException e) {
          LOG.debug("closing the watch service of {}", describe, e);
        }
      }
    }
    if (toJoin == null || toJoin == Thread.currentThread()) {
      return;
    }
    LockSupport.unpark(toJoin); // wakes a park() when there is no watch service
    try {
      toJoin.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    while (true) {
      long wait;
      WatchService service;
      synchronized (lock) {
        if (closed) {
          return;
        }
        wait = schedule.nanosUntilDue(System.nanoTime());
        service = watchService;
      }
      boolean arrived;
      try {
        arrived = awaitEvents(service, wait);
      } catch (ClosedWatchServiceException | InterruptedException e) {
        return; // closed (an interrupt only comes from a shutdown too)
      }
      boolean due;
      synchronized (lock) {
        if (closed) {
          return;
        }
        due = schedule.due(arrived, System.nanoTime());
      }
      if (due) {
        scanNow();
      }
    }
  }

  /** Waits up to {@code nanos} for events and drains every one that is queued; returns whether any arrived. */
  private boolean awaitEvents(WatchService service, long nanos) throws InterruptedException {
    if (service == null) {
      LockSupport.parkNanos(this, nanos);
      return false;
    }
    return drain(service, service.poll(nanos, TimeUnit.NANOSECONDS));
  }

  /** Records the events of {@code key} and of every key queued after it; returns whether there were any. */
  private boolean drain(WatchService service, WatchKey key) {
    boolean any = false;
    while (key != null) {
      List<WatchEvent<?>> polled = key.pollEvents();
      any |= !polled.isEmpty();
      long now = System.currentTimeMillis();
      synchronized (lock) {
        for (WatchEvent<?> event : polled) {
          if (event.kind() == OVERFLOW || !(event.context() instanceof Path name)
              || !(key.watchable() instanceof Path directory)) {
            events.overflowed();
          } else if (event.kind() == ENTRY_CREATE) {
            events.created(directory.resolve(name), now);
          } else if (event.kind() == ENTRY_MODIFY) {
            events.modified(directory.resolve(name));
          }
        }
        if (!key.reset()) {
          watched.values().remove(key); // its directory is gone; the scan finds out what replaced it
          any = true;
        }
      }
      key = service.poll();
    }
    return any;
  }

  private void scanNow() {
    scanLock.lock();
    try {
      scan.accept(takeEvents());
    } catch (RuntimeException | LinkageError | AssertionError e) {
      LOG.error("rescanning {} failed; retrying on the next change", describe, e);
    } finally {
      scanLock.unlock();
    }
  }
}
