package io.gloo.plugins.extauth.model;

import io.gloo.plugins.common.GlooObject;
import io.gloo.plugins.common.Paths;
import io.gloo.spi.policy.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** One entry of {@code configs[]}: an optional {@code name} and exactly one auth type. */
public class AuthStep extends GlooObject {

  /**
   * Gloo auth types this implementation does not have. They are rejected, not ignored: an AuthConfig that silently
   * dropped one of its checks would let requests through that its author meant to deny (fail open).
   */
  public static final Set<String> UNSUPPORTED =
      Set.of("opaAuth", "opaServerAuth", "ldap", "ldapInternal", "hmacAuth", "pluginAuth", "portalAuth", "jwt",
          "oauth", "customAuth");

  public String name;
  public BasicAuth basicAuth;
  public ApiKeyAuth apiKeyAuth;
  public OAuth2 oauth2;
  public PassThroughAuth passThroughAuth;

  /** The type's field name, e.g. {@code apiKeyAuth}; null when none or several are set. */
  public String type() {
    List<String> set = setTypes();
    return set.size() == 1 ? set.get(0) : null;
  }

  private List<String> setTypes() {
    List<String> set = new ArrayList<>();
    if (basicAuth != null) {
      set.add("basicAuth");
    }
    if (apiKeyAuth != null) {
      set.add("apiKeyAuth");
    }
    if (oauth2 != null) {
      set.add("oauth2");
    }
    if (passThroughAuth != null) {
      set.add("passThroughAuth");
    }
    return set;
  }

  @Override
  public void validate(String path, List<Violation> out) {
    for (String field : unknownFields().keySet()) {
      out.add(new Violation(Paths.join(path, field), UNSUPPORTED.contains(field)
          ? "auth type not supported by this implementation; the AuthConfig is rejected rather than skipping the check"
          : "unknown field"));
    }
    if (name != null && !name.matches("[A-Za-z_][A-Za-z0-9_.-]*")) {
      out.add(new Violation(Paths.join(path, "name"),
          "must start with a letter or '_' and hold only letters, digits, '_', '.' and '-' (booleanExpr names it)"));
    }
    List<String> set = setTypes();
    if (set.isEmpty() && unknownFields().keySet().stream().noneMatch(UNSUPPORTED::contains)) {
      out.add(new Violation(path, "one of basicAuth, apiKeyAuth, oauth2 or passThroughAuth is required"));
    } else if (set.size() > 1) {
      out.add(new Violation(path, "only one auth type per entry, got " + String.join(", ", set)));
    }
    validate(basicAuth, Paths.join(path, "basicAuth"), out);
    validate(apiKeyAuth, Paths.join(path, "apiKeyAuth"), out);
    validate(oauth2, Paths.join(path, "oauth2"), out);
    validate(passThroughAuth, Paths.join(path, "passThroughAuth"), out);
  }
}
