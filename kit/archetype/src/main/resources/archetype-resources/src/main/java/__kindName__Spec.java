package ${package};

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code spec} of a {@code ${kindName}}, bound by Gloo with Jackson:
 *
 * <pre>
 * spec:
 *   targetRefs:                    # optional: a Gateway or HTTPRoute (or name the policy in an ExtensionRef filter)
 *     - {group: gateway.networking.k8s.io, kind: HTTPRoute, name: web}
 *   options:                       # merged field by field with other policies on the same route
 *     set: {x-team: payments}      # request headers set (replaced if the client sent them)
 * </pre>
 *
 * @param options what to do to requests; the kind's merge field
 * @param targetRefs where the policy attaches (read by Gloo itself; declared so the spec binds)
 */
public record ${kindName}Spec(Options options, List<TargetRef> targetRefs) {

  /**
   * @param set header name → value, set on every request before it is forwarded
   * @param unknown fields this version does not know: kept, so {@code validate} rejects them by name
   */
  public record Options(Map<String, String> set, @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {

    public Options {
      set = set == null ? Map.of() : new LinkedHashMap<>(set);
      unknown = unknown == null ? new LinkedHashMap<>() : unknown;
    }
  }

  /** A Gateway API policy target: a Gateway or HTTPRoute in the policy's namespace, optionally one section. */
  public record TargetRef(String group, String kind, String name, String sectionName) {}
}
