package io.gloo.plugins.routeoption;

import io.gloo.plugins.common.GlooObject;
import io.gloo.spi.policy.Violation;
import java.util.List;
import java.util.Map;

/** {@code spec} of a {@code gateway.solo.io/v1} RouteOption: {@code options} and {@code targetRefs}. */
public class RouteOptionSpec extends GlooObject {

  public RouteOptions options;
  /** Resolved by core; kept here so that they are known fields. */
  public List<Map<String, Object>> targetRefs;
  /** The single targetRef of Gloo 1.17. */
  public Map<String, Object> targetRef;

  @Override
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out);
    validate(options, "options", out);
  }
}
