package io.gloo.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Entries are kept by key instance while the key lives, and every entry whose key was collected goes, value
 * included, at one maintenance (Guava's weak-keyed maps dropped 16 per access, so values of removed routes stayed
 * reachable for hundreds of translations).
 */
class WeakIdentityCacheTest {

  private static final int ENTRIES = 10_000;
  /** Full collections to wait for the collector to clear the references (each System.gc() is only a request). */
  private static final int MAX_COLLECTIONS = 50;

  @Test
  void keepsByInstanceNotByEquality() {
    WeakIdentityCache<String, Object> cache = new WeakIdentityCache<>();
    String key = new String("route");
    Object value = new Object();
    cache.put(key, value);
    assertSame(value, cache.get(key));
    assertNull(cache.get(new String("route")), "an equal but other instance is another key");
    assertSame(value, cache.computeIfAbsent(key, k -> new Object()), "present: not computed again");
  }

  @Test
  void everyCollectedEntryGoesWithItsValueAtOneDrain() {
    WeakIdentityCache<Object, Object> cache = new WeakIdentityCache<>();
    List<Object> keys = new ArrayList<>();
    List<WeakReference<Object>> keyRefs = new ArrayList<>();
    List<WeakReference<Object>> valueRefs = new ArrayList<>();
    for (int i = 0; i < ENTRIES; i++) {
      Object key = new Object();
      Object value = new byte[64];
      cache.put(key, value);
      keys.add(key);
      keyRefs.add(new WeakReference<>(key));
      valueRefs.add(new WeakReference<>(value));
    }
    Object kept = keys.get(0);
    keys.clear();
    assertEquals(0, collectUntilCleared(keyRefs.subList(1, ENTRIES)), "keys still reachable after collections");

    cache.drain();

    assertEquals(0, collectUntilCleared(valueRefs.subList(1, ENTRIES)),
        "values of collected keys still reachable after one drain");
    assertEquals(1, cache.size());
    assertSame(valueRefs.get(0).get(), cache.get(kept), "a live key keeps its value");
  }

  /** Requests full collections until every reference is cleared, or gives up; returns how many are not. */
  private static int collectUntilCleared(List<WeakReference<Object>> refs) {
    int alive = refs.size();
    for (int i = 0; i < MAX_COLLECTIONS && alive > 0; i++) {
      System.gc();
      alive = (int) refs.stream().filter(r -> r.get() != null).count();
    }
    return alive;
  }
}
