package com.example.gloo.responseheaders;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code spec} of a {@code ResponseHeaderPolicy}, bound by Gloo with Jackson:
 *
 * <pre>
 * spec:
 *   targetRefs:                      # optional: attach to a Gateway or HTTPRoute (or use an ExtensionRef filter)
 *     - {group: gateway.networking.k8s.io, kind: HTTPRoute, name: web}
 *   options:                         # merged field by field with other policies on the same route
 *     add: {x-frame-options: DENY}   # headers added to responses (values are literal)
 *     remove: [server]               # headers removed from responses (before the additions)
 * </pre>
 *
 * @param options what to do to responses; the merge field of the kind
 * @param targetRefs where the policy attaches (read by Gloo itself; declared so the spec binds)
 */
public record ResponseHeaderPolicySpec(Options options, List<TargetRef> targetRefs) {

  /**
   * @param add header name → value, added to every response (Envoy's {@code APPEND_IF_EXISTS_OR_ADD})
   * @param remove header names removed from every response; Envoy removes before it adds, so a name in both
   *     replaces the upstream's value
   * @param unknown fields this version does not know: kept, so {@code validate} can reject them by name
   *     rather than have them silently ignored (the any-getter keeps the map out of the generated CRD's schema)
   */
  public record Options(Map<String, String> add, List<String> remove,
      @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {

    public Options {
      add = add == null ? Map.of() : new LinkedHashMap<>(add);
      remove = remove == null ? List.of() : List.copyOf(remove);
      unknown = unknown == null ? new LinkedHashMap<>() : unknown;
    }

    public Options(Map<String, String> add, List<String> remove) {
      this(add, remove, null);
    }
  }

  /** A Gateway API policy target: a Gateway or HTTPRoute in the policy's namespace, optionally one section. */
  public record TargetRef(String group, String kind, String name, String sectionName) {}
}
