package io.gloo.plugin.upstream;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The fields of a spec that no record declares (kept by {@code @JsonAnySetter} in each record's {@code unknown}), as
 * paths relative to {@code spec}, e.g. {@code static.hosts[0].healthCheckConfig}.
 */
final class UnknownFields {

  private UnknownFields() {}

  static List<String> of(Object spec) {
    List<String> out = new ArrayList<>();
    walk(spec, "", out);
    return out;
  }

  /** Same, without the top-level fields in {@code skip} (already reported by core as unsupported). */
  static List<String> of(Object spec, Set<String> skip) {
    return of(spec).stream().filter(f -> !skip.contains(f)).toList();
  }

  private static void walk(Object value, String path, List<String> out) {
    if (value == null) {
      return;
    }
    if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        walk(list.get(i), path + "[" + i + "]", out);
      }
      return;
    }
    if (!value.getClass().isRecord()) {
      return;
    }
    for (RecordComponent c : value.getClass().getRecordComponents()) {
      Object v;
      try {
        v = c.getAccessor().invoke(value);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      if (c.getName().equals("unknown")) {
        if (v instanceof Map<?, ?> m) {
          for (Object k : new TreeSet<>(m.keySet().stream().map(String::valueOf).toList())) {
            out.add(join(path, String.valueOf(k)));
          }
        }
        continue;
      }
      JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);
      String name = p != null && !p.value().isEmpty() ? p.value() : c.getName();
      walk(v, join(path, name), out);
    }
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }
}
