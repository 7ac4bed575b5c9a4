package io.gloo.plugins.extauth.translate;

import io.gloo.plugins.common.GlooObject;
import io.gloo.plugins.common.Paths;
import io.gloo.plugins.extauth.model.ResourceRef;
import io.gloo.spi.policy.Violation;
import java.util.List;
import java.util.Map;

/**
 * {@code options.extauth} of a RouteOption or VirtualHostOption: one of {@code {disable: true}},
 * {@code {configRef{name, namespace}}} or {@code {customAuth{contextExtensions, name}}}.
 */
public class ExtAuthOption extends GlooObject {

  public Boolean disable;
  public ResourceRef configRef;
  public CustomAuth customAuth;

  /** {@code {contextExtensions, name}}: a user's own ext_authz server, named in the plugin config. */
  public static class CustomAuth extends GlooObject {
    public Map<String, String> contextExtensions;
    public String name;
  }

  public boolean disabled() {
    return Boolean.TRUE.equals(disable);
  }

  @Override
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out);
    int set = (disable != null ? 1 : 0) + (configRef != null ? 1 : 0) + (customAuth != null ? 1 : 0);
    if (set != 1) {
      out.add(new Violation(path, "exactly one of disable, configRef or customAuth must be set"));
    }
    if (configRef != null) {
      ResourceRef.require(configRef, Paths.join(path, "configRef"), out);
    }
    validate(customAuth, Paths.join(path, "customAuth"), out);
  }

  /** The object core binds the claimed field into: a holder of {@code extauth}. */
  public static class Holder extends GlooObject {
    public ExtAuthOption extauth;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      if (extauth == null) {
        out.add(new Violation(Paths.join(path, "extauth"), "must not be null"));
      } else {
        extauth.validate(Paths.join(path, "extauth"), out);
      }
    }
  }
}
