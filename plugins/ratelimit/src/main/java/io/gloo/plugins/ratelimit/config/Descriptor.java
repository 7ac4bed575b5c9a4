package io.gloo.plugins.ratelimit.config;

import io.gloo.plugins.common.GlooObject;
import io.gloo.plugins.common.Paths;
import io.gloo.spi.policy.Violation;
import java.util.List;

/**
 * One node of the server-side descriptor tree: {@code {key, value?, rateLimit?, descriptors[], weight, alwaysApply}},
 * plus Envoy's reference service's {@code unlimited} and {@code shadowMode}. A node without {@code value} matches any
 * value of {@code key}; a node with one matches only that value and beats the key-only node.
 */
public class Descriptor extends GlooObject {

  public String key;
  public String value;
  public RateLimitValue rateLimit;
  public List<Descriptor> descriptors;
  public Integer weight;
  public Boolean alwaysApply;
  public Boolean unlimited;
  public Boolean shadowMode;

  /** Siblings with the same key and value would be one node of the tree: the later would silently win. */
  static void checkDuplicates(List<Descriptor> siblings, String path, List<Violation> out) {
    if (siblings == null) {
      return;
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < siblings.size(); i++) {
      Descriptor d = siblings.get(i);
      if (d != null && d.key != null && !seen.add(d.key + "\u0000" + d.value)) {
        out.add(new Violation(path + "[" + i + "]",
            "duplicate descriptor key '" + d.key + "'" + (d.value == null ? "" : " value '" + d.value + "'")));
      }
    }
  }

  @Override
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out);
    Action.required(key, Paths.join(path, "key"), out);
    if (Boolean.TRUE.equals(unlimited) && rateLimit != null) {
      out.add(new Violation(Paths.join(path, "unlimited"), "cannot be combined with rateLimit"));
    }
    validate(rateLimit, Paths.join(path, "rateLimit"), out);
    if (weight != null && weight < 0) {
      out.add(new Violation(Paths.join(path, "weight"), "must not be negative, got " + weight));
    }
    validateAll(descriptors, Paths.join(path, "descriptors"), out);
    checkDuplicates(descriptors, Paths.join(path, "descriptors"), out);
  }
}
