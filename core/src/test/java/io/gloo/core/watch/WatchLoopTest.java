package io.gloo.core.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatchLoopTest {

  @TempDir
  Path dir;

  @Test
  void aBurstOfWritesGivesOneScanOnTheLoopThread() throws Exception {
    BlockingQueue<String> scans = new LinkedBlockingQueue<>();
    try (WatchLoop loop = new WatchLoop("test-watch", dir, Duration.ofMillis(500),
        () -> scans.add(Thread.currentThread().getName()))) {
      loop.watch(List.of(dir));
      loop.start();
      for (int i = 0; i < 5; i++) {
        Files.writeString(dir.resolve("f" + i + ".yaml"), "x: " + i);
      }
      assertEquals("test-watch", scans.poll(5, TimeUnit.SECONDS), "the burst is scanned, on the loop's thread");
      // the next scan is the safety rescan, 2 s after this one; nothing else may come before
      assertEquals(null, scans.poll(1, TimeUnit.SECONDS), "one scan for the whole burst");
    }
  }

  @Test
  void aDirectoryWatchedLaterIsFollowedAndAForgottenOneIsNot() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("sub"));
    BlockingQueue<Long> scans = new LinkedBlockingQueue<>();
    try (WatchLoop loop = new WatchLoop("test-watch", dir, Duration.ofMillis(20), () -> scans.add(System.nanoTime()))) {
      loop.watch(List.of(dir));
      loop.start();
      loop.watch(List.of(sub)); // dir itself is forgotten
      Files.writeString(sub.resolve("a.yaml"), "a: 1");
      assertNotNull(scans.poll(5, TimeUnit.SECONDS), "a change in the newly watched directory is scanned");
      scans.clear();
      Files.writeString(dir.resolve("b.yaml"), "b: 1");
      long nextScan = RescanSchedule.SAFETY_RESCAN_MILLIS;
      Long scan = scans.poll(nextScan / 2, TimeUnit.MILLISECONDS);
      assertEquals(null, scan, "a change in a directory no longer watched waits for the safety rescan");
    }
  }

  @Test
  void exclusiveWorkNeverOverlapsAScan() throws Exception {
    AtomicInteger inside = new AtomicInteger();
    Set<String> overlaps = ConcurrentHashMap.newKeySet();
    CountDownLatch scanned = new CountDownLatch(20);
    Runnable work = () -> {
      if (inside.incrementAndGet() != 1) {
        overlaps.add(Thread.currentThread().getName());
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      inside.decrementAndGet();
    };
    try (WatchLoop loop = new WatchLoop("test-watch", dir, Duration.ofMillis(1), () -> {
      work.run();
      scanned.countDown();
    })) {
      loop.watch(List.of(dir));
      loop.start();
      Thread writer = new Thread(() -> {
        for (int i = 0; i < 200 && scanned.getCount() > 0; i++) {
          try {
            Files.writeString(dir.resolve("f.yaml"), "x: " + i);
            Thread.sleep(5);
          } catch (Exception e) {
            return;
          }
        }
      });
      writer.start();
      for (int i = 0; i < 100; i++) {
        loop.exclusive(() -> {
          work.run();
          return null;
        });
      }
      assertTrue(scanned.await(10, TimeUnit.SECONDS), "the loop scanned meanwhile");
      writer.join();
    }
    assertEquals(Set.of(), overlaps);
  }

  @Test
  void closeStopsTheThread() throws Exception {
    WatchLoop loop = new WatchLoop("test-watch-close", dir, Duration.ofMillis(10), () -> { });
    loop.watch(List.of(dir));
    loop.start();
    Thread thread = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("test-watch-close")).findFirst().orElseThrow();
    assertTrue(thread.isAlive());
    loop.close();
    thread.join(5_000);
    assertFalse(thread.isAlive(), "the loop's thread ends on close");
  }

  /**
   * A file moved into a watched directory is seen as arrived whole; one written there is not (a modify event), and
   * neither is anything after the queue overflowed.
   */
  @Test
  void theScanIsToldWhichFilesArrivedWhole() throws Exception {
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Path watched = Files.createDirectories(dir.resolve("watched"));
    BlockingQueue<FileEvents> scans = new LinkedBlockingQueue<>();
    try (WatchLoop loop = new WatchLoop("test-watch", watched, Duration.ofMillis(100), scans::add)) {
      loop.watch(List.of(watched));
      loop.start();
      Files.writeString(outside.resolve("moved.yaml"), "a: 1");
      Files.move(outside.resolve("moved.yaml"), watched.resolve("moved.yaml"),
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      Files.writeString(watched.resolve("written.yaml"), "b: 1");
      FileEvents events = scans.poll(5, TimeUnit.SECONDS);
      assertNotNull(events);
      assertTrue(events.arrivedWhole(watched.resolve("moved.yaml"), FileStat.of(watched.resolve("moved.yaml"))),
          events.toString());
      assertFalse(events.arrivedWhole(watched.resolve("written.yaml"), FileStat.of(watched.resolve("written.yaml"))),
          events.toString());
      assertFalse(FileEvents.UNKNOWN.arrivedWhole(watched.resolve("moved.yaml"),
          FileStat.of(watched.resolve("moved.yaml"))));
    }
  }
}
