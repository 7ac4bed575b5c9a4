package io.gloo.plugins.virtualhostoption;

import io.gloo.plugins.common.GlooObject;
import io.gloo.spi.policy.Violation;
import java.util.List;
import java.util.Map;

/** {@code spec} of a {@code gateway.solo.io/v1} VirtualHostOption: {@code options} and {@code targetRefs}. */
public class VirtualHostOptionSpec extends GlooObject {

  public VirtualHostOptions options;
  public List<Map<String, Object>> targetRefs;
  public Map<String, Object> targetRef;

  @Override
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out);
    validate(options, "options", out);
  }
}
