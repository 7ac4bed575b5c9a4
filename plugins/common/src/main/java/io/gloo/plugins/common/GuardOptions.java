package io.gloo.plugins.common;

import java.util.Set;
import java.util.TreeSet;

/**
 * Gloo options that guard traffic: authentication, authorization, a WAF, data-loss prevention. Where a policy sets
 * one and no loaded plugin implements it, the route must fail closed rather than serve without it (see
 * {@code PolicyKind.failClosedFields}); serving a route that asked for auth without auth would be the worst outcome.
 */
public final class GuardOptions {

  private GuardOptions() {}

  public static final Set<String> NAMES = Set.of("extauth", "jwt", "jwtStaged", "jwtProvidersStaged", "rbac", "waf",
      "dlp");

  /** The guard options among {@code unsupported} (top-level option names), as spec paths under {@code options}. */
  public static Set<String> failClosed(Set<String> unsupported) {
    Set<String> paths = new TreeSet<>();
    for (String name : unsupported) {
      if (NAMES.contains(name)) {
        paths.add("options." + name);
      }
    }
    return Set.copyOf(paths);
  }
}
