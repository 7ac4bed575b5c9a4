package io.gloo.plugins.extauth.model;

import io.gloo.plugins.common.GlooObject;
import io.gloo.plugins.common.Paths;
import io.gloo.spi.policy.Violation;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code spec} of an {@code enterprise.gloo.solo.io/v1} AuthConfig: {@code configs[]}, {@code booleanExpr},
 * {@code failOnRedirect}. Bound by Jackson; also the form in which the control plane streams configs to standalone
 * ext-auth servers (public fields, no secrets: Secrets are resolved separately, see
 * {@link io.gloo.plugins.extauth.compile.CompiledAuthConfig}).
 */
public class AuthConfigSpec extends GlooObject {

  public List<AuthStep> configs;
  public String booleanExpr;
  public Boolean failOnRedirect;

  @Override
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out);
    if (configs == null || configs.isEmpty()) {
      out.add(new Violation(Paths.join(path, "configs"), "at least one config is required"));
      return;
    }
    validateAll(configs, Paths.join(path, "configs"), out);
    Set<String> names = new HashSet<>();
    for (int i = 0; i < configs.size(); i++) {
      AuthStep step = configs.get(i);
      if (step != null && step.name != null && !names.add(step.name)) {
        out.add(new Violation(Paths.join(path, "configs[" + i + "].name"), "duplicate name '" + step.name + "'"));
      }
    }
    if (booleanExpr != null) {
      try {
        BooleanExpr expr = BooleanExpr.parse(booleanExpr);
        for (String name : expr.names()) {
          if (!names.contains(name)) {
            out.add(new Violation(Paths.join(path, "booleanExpr"),
                "names '" + name + "', which is not the name of any entry of configs"));
          }
        }
      } catch (IllegalArgumentException e) {
        out.add(new Violation(Paths.join(path, "booleanExpr"), e.getMessage()));
      }
    }
  }

  /** Whether {@code failOnRedirect} is set: OIDC answers 401 instead of redirecting to the provider. */
  public boolean failOnRedirect() {
    return Boolean.TRUE.equals(failOnRedirect);
  }
}
