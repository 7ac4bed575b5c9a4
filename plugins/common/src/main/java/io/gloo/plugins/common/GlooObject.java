package io.gloo.plugins.common;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import io.gloo.spi.policy.Violation;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Base of every Gloo object bound from a spec: fields the class does not know are kept (never silently dropped) so
 * that validation can report them. Gloo itself rejects a resource with unknown fields (its spec is strict
 * protobuf JSON), and so do we; fields Gloo has but we do not implement are listed as unsupported by the kind
 * instead and only warned about.
 */
public abstract class GlooObject {

  @JsonIgnore
  private final Map<String, Object> unknown = new LinkedHashMap<>();

  @JsonAnySetter
  public void setUnknown(String name, Object value) {
    unknown.put(name, value);
  }

  /** Fields of the input this class does not model, in input order. */
  @JsonIgnore
  public Map<String, Object> unknownFields() {
    return unknown;
  }

  /** Reports every unknown field under {@code path} as a violation, except those in {@code tolerated}. */
  protected void checkUnknown(String path, List<Violation> out, Set<String> tolerated) {
    for (String name : unknown.keySet()) {
      if (!tolerated.contains(name)) {
        out.add(new Violation(Paths.join(path, name), "unknown field"));
      }
    }
  }

  protected void checkUnknown(String path, List<Violation> out) {
    checkUnknown(path, out, Set.of());
  }

  /** A required string: adds "is required" at {@code field} when it is null or empty; returns whether it is set. */
  public static boolean requireText(String value, String field, List<Violation> out) {
    if (value == null || value.isEmpty()) {
      out.add(new Violation(field, "is required"));
      return false;
    }
    return true;
  }

  /** Validates a nested object if present. */
  protected static void validate(GlooObject child, String path, List<Violation> out) {
    if (child != null) {
      child.validate(path, out);
    }
  }

  protected static void validateAll(Collection<? extends GlooObject> children, String path, List<Violation> out) {
    if (children == null) {
      return;
    }
    int i = 0;
    for (GlooObject child : children) {
      if (child == null) {
        out.add(new Violation(path + "[" + i + "]", "must not be null"));
      } else {
        child.validate(path + "[" + i + "]", out);
      }
      i++;
    }
  }

  /** Adds this object's violations, each field named relative to {@code spec} under {@code path}. */
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out);
  }
}
