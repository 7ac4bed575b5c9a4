package io.gloo.core.evaluate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An ordered, multi-valued HTTP header map with case-insensitive names (stored lower-cased, as Envoy's
 * {@code HeaderMap} does), including the pseudo headers {@code :method}, {@code :path}, {@code :authority} and
 * {@code :scheme}. Mutable; {@link #copy()} before handing one out.
 */
public final class HeaderMap {

  /** One header line. */
  public record Entry(String name, String value) {
    public Entry {
      name = name.toLowerCase(Locale.ROOT);
      Objects.requireNonNull(value, "value");
    }
  }

  private final List<Entry> entries = new ArrayList<>();

  public static HeaderMap of(List<Map.Entry<String, String>> headers) {
    HeaderMap m = new HeaderMap();
    headers.forEach(e -> m.add(e.getKey(), e.getValue()));
    return m;
  }

  public HeaderMap copy() {
    HeaderMap m = new HeaderMap();
    m.entries.addAll(entries);
    return m;
  }

  public List<Entry> entries() {
    return Collections.unmodifiableList(entries);
  }

  /** Every value of {@code name}, in order. */
  public List<String> getAll(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    List<String> values = new ArrayList<>();
    for (Entry e : entries) {
      if (e.name().equals(n)) {
        values.add(e.value());
      }
    }
    return values;
  }

  /** The first value of {@code name}, or null. */
  public String get(String name) {
    List<String> all = getAll(name);
    return all.isEmpty() ? null : all.get(0);
  }

  /**
   * Envoy's {@code HeaderUtility::getAllOfHeaderAsString}: every value joined with ',' (what header matchers see), or
   * null when the header is absent.
   */
  public String getJoined(String name) {
    List<String> all = getAll(name);
    return all.isEmpty() ? null : String.join(",", all);
  }

  public boolean contains(String name) {
    return get(name) != null;
  }

  public HeaderMap add(String name, String value) {
    entries.add(new Entry(name, value));
    return this;
  }

  /** Replaces every value of {@code name} with one, kept at the position of the first (Envoy's setReferenceKey). */
  public HeaderMap set(String name, String value) {
    String n = name.toLowerCase(Locale.ROOT);
    int first = -1;
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).name().equals(n)) {
        first = i;
        break;
      }
    }
    remove(n);
    if (first < 0 || first > entries.size()) {
      entries.add(new Entry(n, value));
    } else {
      entries.add(first, new Entry(n, value));
    }
    return this;
  }

  public HeaderMap remove(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    entries.removeIf(e -> e.name().equals(n));
    return this;
  }

  @Override
  public String toString() {
    return entries.toString();
  }
}
