package io.gloo.core.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.errorprone.annotations.ThreadSafe;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Function;
import javax.management.NotificationEmitter;

/**
 * A cache weakly keyed by instance (identity, not {@code equals}): an entry lives as long as its key is reachable
 * elsewhere. Once a collection has cleared a key, its entry and <em>value</em> are dropped at the cache's next
 * maintenance, and every live cache is maintained after each garbage collection (a JMX GC notification), so a value
 * becomes garbage at the collection after its key's, whether or not the cache is used again.
 *
 * <p>Why not Guava's {@code MapMaker().weakKeys()} or {@code CacheBuilder.weakKeys()}: they drop at most 16 collected
 * entries per segment at each access, so the values of 20,000 removed routes (Envoy route protos, serialized forms)
 * stayed reachable for hundreds of later translations: {@code serve} back at 10 routes from 10,000 kept 50 MiB of
 * them (issue #19, {@code bench/memory.sh}). Caffeine drains every collected key at each maintenance.
 *
 * <p>Thread-safe.
 */
@ThreadSafe
public final class WeakIdentityCache<K, V> {

  private final Cache<K, V> cache = Caffeine.newBuilder().weakKeys().executor(Runnable::run).build();

  public WeakIdentityCache() {
    AfterGc.register(this);
  }

  /** The value kept for this instance, or null. */
  public V get(K key) {
    return cache.getIfPresent(key);
  }

  public void put(K key, V value) {
    cache.put(key, value);
  }

  /** The value kept for this instance, computed (outside any lock: may run twice for one key) when there is none. */
  public V computeIfAbsent(K key, Function<? super K, ? extends V> compute) {
    V value = cache.getIfPresent(key);
    if (value == null) {
      value = compute.apply(key);
      cache.put(key, value);
    }
    return value;
  }

  /** Drops the entries of collected keys now. */
  public void drain() {
    cache.cleanUp();
  }

  /** The entries whose keys are still reachable (drains first; for tests and benchmarks). */
  public long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  /**
   * Drains every live cache now, as happens after each collection (on the JMX notification thread, soon after it):
   * for tests and benchmarks that collect and then need the values of collected keys gone.
   */
  public static void drainAll() {
    AfterGc.drainAll();
  }

  /** Drains every live cache after each collection of any collector. */
  private static final class AfterGc {
    private static final Set<WeakIdentityCache<?, ?>> CACHES =
        Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    static {
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc instanceof NotificationEmitter emitter) {
          emitter.addNotificationListener((notification, handback) -> drainAll(), null, null);
        }
      }
      // The notification can come before the reference handler has queued the keys that collection cleared, and
      // then their values waited for the next collection (bench/memory.sh: 15 MiB of serialized routes back at 10
      // routes). A sentinel cleared by the same collection comes through its queue after the handler took that
      // collection's references: drain again then.
      Thread sentinel = new Thread(AfterGc::drainAfterEachSentinel, "gloo-weak-cache-drain");
      sentinel.setDaemon(true);
      sentinel.start();
    }

    private static void drainAfterEachSentinel() {
      java.lang.ref.ReferenceQueue<Object> queue = new java.lang.ref.ReferenceQueue<>();
      java.lang.ref.WeakReference<Object> pending = new java.lang.ref.WeakReference<>(new Object(), queue);
      while (true) {
        try {
          if (queue.remove() == pending) {
            pending = new java.lang.ref.WeakReference<>(new Object(), queue);
            drainAll();
          }
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    static void register(WeakIdentityCache<?, ?> cache) {
      CACHES.add(cache);
    }

    private static void drainAll() {
      WeakIdentityCache<?, ?>[] live;
      synchronized (CACHES) {
        live = CACHES.toArray(new WeakIdentityCache<?, ?>[0]);
      }
      for (WeakIdentityCache<?, ?> c : live) {
        c.drain();
      }
    }

    private AfterGc() {}
  }
}
