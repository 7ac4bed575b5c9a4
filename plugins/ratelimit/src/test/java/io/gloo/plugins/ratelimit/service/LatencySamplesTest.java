package io.gloo.plugins.ratelimit.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LatencySamplesTest {

  @Test
  void everySampleReachesItsOwnTimerOnceWithItsValueFromManyThreadsAndPastAFullBuffer() throws Exception {
    AtomicLong[] count = {new AtomicLong(), new AtomicLong()};
    AtomicLong[] sum = {new AtomicLong(), new AtomicLong()};
    LatencySamples samples = new LatencySamples(n -> {
      count[0].incrementAndGet();
      sum[0].addAndGet(n);
    }, n -> {
      count[1].incrementAndGet();
      sum[1].addAndGet(n);
    });
    int threads = 4;
    int perThread = LatencySamples.CAPACITY * 3 + 7; // each thread's buffer fills three times between drains
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 1; i <= perThread; i++) {
          samples.add(i % 2, i);
        }
      });
      thread.start();
      started.add(thread);
    }
    // drains concurrent with the writers, then after them (their threads have ended: their buffers are let go)
    while (started.stream().anyMatch(Thread::isAlive)) {
      samples.drain();
    }
    for (Thread thread : started) {
      thread.join();
    }
    samples.drain();

    long odd = (perThread + 1) / 2;
    long even = perThread / 2;
    assertEquals(threads * even, count[0].get());
    assertEquals(threads * odd, count[1].get());
    long total = (long) perThread * (perThread + 1) / 2;
    assertEquals(threads * total, sum[0].get() + sum[1].get());
    assertEquals(threads * (even * (even + 1)), sum[0].get()); // 2 + 4 + ... + 2 * even
  }
}
