package io.gloo.core.report;

import com.google.errorprone.annotations.ThreadSafe;
import io.gloo.core.store.ResourceKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The status the translator computed for every input resource it processed, in the Kubernetes shape of that kind
 * (e.g. fabric8's {@code GatewayStatus}, {@code HTTPRouteStatus}); what the reporter writes back or shows.
 *
 * <p>{@link #statuses()} is sorted by resource key. The sorting (tens of thousands of keys at scale) is done on first
 * use rather than when the translator builds the report: the server publishes the snapshot before it reports
 * statuses, so the proxies do not wait for it. Thread-safe.
 */
@ThreadSafe
public final class StatusReport {

  private final ResourceKey[] keys;
  private final Object[] values;
  private volatile Map<ResourceKey, Object> sorted;

  private StatusReport(ResourceKey[] keys, Object[] values) {
    this.keys = keys;
    this.values = values;
  }

  public StatusReport(Map<ResourceKey, Object> statuses) {
    int n = statuses.size();
    this.keys = new ResourceKey[n];
    this.values = new Object[n];
    int i = 0;
    for (Map.Entry<ResourceKey, Object> e : statuses.entrySet()) {
      keys[i] = Objects.requireNonNull(e.getKey(), "key");
      values[i] = e.getValue();
      i++;
    }
  }

  /**
   * Collects statuses without hashing their keys (a translation puts tens of thousands); later puts of an equal key
   * win, as in a map. Not thread-safe.
   */
  public static final class Builder {
    private final List<ResourceKey> keys = new ArrayList<>();
    private final List<Object> values = new ArrayList<>();
    /** Key → position of its last put, built on the first {@link #get}. */
    private Map<ResourceKey, Integer> index;

    public Builder put(ResourceKey key, Object status) {
      keys.add(Objects.requireNonNull(key, "key"));
      values.add(status);
      if (index != null) {
        index.put(key, keys.size() - 1);
      }
      return this;
    }

    public Builder putAll(Map<ResourceKey, ?> statuses) {
      statuses.forEach(this::put);
      return this;
    }

    /** The status last put for {@code key}, or null. */
    public Object get(ResourceKey key) {
      if (index == null) {
        index = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
          index.put(keys.get(i), i);
        }
      }
      Integer i = index.get(key);
      return i == null ? null : values.get(i);
    }

    public StatusReport build() {
      return new StatusReport(keys.toArray(new ResourceKey[0]), values.toArray());
    }
  }

  public static StatusReport empty() {
    return new StatusReport(Map.of());
  }

  /** Every status by resource, in key order; unmodifiable. */
  public Map<ResourceKey, Object> statuses() {
    Map<ResourceKey, Object> result = sorted;
    if (result == null) {
      synchronized (this) {
        result = sorted;
        if (result == null) {
          result = sort();
          sorted = result;
        }
      }
    }
    return result;
  }

  public Object get(ResourceKey key) {
    return statuses().get(key);
  }

  /** Sorted by key; of equal keys (from a {@link Builder}) the last put wins (the sort is stable). */
  private Map<ResourceKey, Object> sort() {
    Integer[] order = new Integer[keys.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> keys[a].compareTo(keys[b]));
    Map<ResourceKey, Object> map = new LinkedHashMap<>(keys.length * 2);
    for (Integer i : order) {
      map.put(keys[i], values[i]);
    }
    return Collections.unmodifiableMap(map);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StatusReport other && statuses().equals(other.statuses());
  }

  @Override
  public int hashCode() {
    return statuses().hashCode();
  }

  @Override
  public String toString() {
    return "StatusReport[statuses=" + statuses() + "]";
  }
}
