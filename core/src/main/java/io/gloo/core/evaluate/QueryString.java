package io.gloo.core.evaluate;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request's query parameters decoded as a client or form sends them ({@code +} is a space), in order; names may
 * repeat. Immutable. Read by the admin server and its console, and by the conformance echo backend; not how Envoy
 * matches query parameters ({@link EnvoyMatchers} decodes as Envoy does).
 */
public final class QueryString {

  private final Map<String, List<String>> values;

  private QueryString(Map<String, List<String>> values) {
    this.values = values;
  }

  public static QueryString parse(String raw) {
    Map<String, List<String>> result = new LinkedHashMap<>();
    if (raw != null && !raw.isEmpty()) {
      for (String pair : raw.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        result.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
      }
    }
    return new QueryString(result);
  }

  /** The first value of {@code name}, or null. */
  public String first(String name) {
    List<String> v = values.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** The first non-blank value of {@code name}, or {@code fallback}. */
  public String first(String name, String fallback) {
    String v = first(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  public List<String> all(String name) {
    return values.getOrDefault(name, List.of());
  }
}
