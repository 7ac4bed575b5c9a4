package io.gloo.core.evaluate;

import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import java.util.ArrayList;
import java.util.List;

/** Envoy's {@code HeaderParser::evaluateHeaders}: one level's headers_to_remove and headers_to_add on a header map. */
final class HeaderMutations {

  private HeaderMutations() {}

  /** One level (weighted cluster, route, virtual host or route configuration) of header edits. */
  record Level(String name, List<HeaderValueOption> add, List<String> remove) {
    boolean isEmpty() {
      return add.isEmpty() && remove.isEmpty();
    }
  }

  static void apply(Level level, HeaderMap headers, List<String> trace) {
    if (level.isEmpty()) {
      return;
    }
    // Removals first: remove-before-add is the documented default.
    for (String name : level.remove()) {
      if (headers.contains(name)) {
        trace.add(level.name() + ": remove " + name.toLowerCase(java.util.Locale.ROOT));
      }
      headers.remove(name);
    }
    List<HeaderMap.Entry> overwrite = new ArrayList<>();
    List<HeaderMap.Entry> append = new ArrayList<>();
    for (HeaderValueOption o : level.add()) {
      String key = o.getHeader().getKey();
      String value = o.getHeader().getValue();
      // An empty value is not added unless keep_empty_value.
      if (value.isEmpty() && !o.getKeepEmptyValue()) {
        continue;
      }
      if (value.indexOf('%') >= 0) {
        trace.add(level.name() + ": header " + key + " value '" + value
            + "' may hold %COMMAND% substitutions, which the evaluator leaves unexpanded");
      }
      // Presence is tested against the headers as they were before this level's additions.
      boolean present = headers.contains(key);
      switch (action(o)) {
        case APPEND_IF_EXISTS_OR_ADD -> append.add(new HeaderMap.Entry(key, value));
        case ADD_IF_ABSENT -> {
          if (!present) {
            append.add(new HeaderMap.Entry(key, value));
          }
        }
        case OVERWRITE_IF_EXISTS -> {
          if (present) {
            overwrite.add(new HeaderMap.Entry(key, value));
          }
        }
        case OVERWRITE_IF_EXISTS_OR_ADD -> overwrite.add(new HeaderMap.Entry(key, value));
        default -> throw new IllegalArgumentException("unknown append_action " + o.getAppendAction());
      }
    }
    // All overwrites of a level happen before its appends.
    for (HeaderMap.Entry e : overwrite) {
      headers.set(e.name(), e.value());
      trace.add(level.name() + ": set " + e.name() + ": " + e.value());
    }
    for (HeaderMap.Entry e : append) {
      headers.add(e.name(), e.value());
      trace.add(level.name() + ": add " + e.name() + ": " + e.value());
    }
  }

  /** The deprecated {@code append} field, when set, wins: true appends, false overwrites. */
  static HeaderValueOption.HeaderAppendAction action(HeaderValueOption o) {
    if (o.hasAppend()) {
      return o.getAppend().getValue()
          ? HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD
          : HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD;
    }
    return o.getAppendAction();
  }
}
