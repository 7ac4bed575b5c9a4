package io.gloo.plugins.virtualhostoption;

import io.gloo.plugins.common.BufferPerRoute;
import io.gloo.plugins.common.CorsPolicy;
import io.gloo.plugins.common.CsrfPolicy;
import io.gloo.plugins.common.GlooObject;
import io.gloo.plugins.common.HeaderManipulation;
import io.gloo.plugins.common.Paths;
import io.gloo.plugins.common.Regexes;
import io.gloo.plugins.common.RetryPolicy;
import io.gloo.spi.policy.Violation;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Gloo's VirtualHostOptions ({@code spec.options}), the fields this plugin implements; see {@link #UNSUPPORTED}. */
public class VirtualHostOptions extends GlooObject {

  /** VirtualHostOptions fields Gloo has that this plugin does not implement (reported as UnsupportedValue). */
  public static final Set<String> UNSUPPORTED = Set.of(
      "transformations", "stagedTransformations",
      "ratelimit", "ratelimitBasic", "ratelimitEarly", "ratelimitRegular",
      "rateLimitConfigs", "rateLimitEarlyConfigs", "rateLimitRegularConfigs",
      "extauth", "jwt", "jwtStaged", "rbac", "waf", "dlp", "extProc", "extensions");

  public RetryPolicy retries;
  public HeaderManipulation headerManipulation;
  public CorsPolicy cors;
  public CorsPolicyMergeSettings corsPolicyMergeSettings;
  public Boolean includeRequestAttemptCount;
  public Boolean includeAttemptCountInResponse;
  public Stats stats;
  public BufferPerRoute bufferPerRoute;
  public CsrfPolicy csrf;

  /** {@code {exposeHeaders: DEFAULT|UNION}}: how a route's CORS policy combines with the virtual host's. */
  public static class CorsPolicyMergeSettings extends GlooObject {
    public String exposeHeaders;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      if (exposeHeaders != null && !exposeHeaders.equals("DEFAULT") && !exposeHeaders.equals("UNION")) {
        out.add(new Violation(Paths.join(path, "exposeHeaders"), "must be DEFAULT or UNION, got " + exposeHeaders));
      }
    }

    boolean union() {
      return "UNION".equals(exposeHeaders);
    }
  }

  /** {@code {virtualClusters[{name, pattern, method}]}}. */
  public static class Stats extends GlooObject {
    public List<VirtualCluster> virtualClusters;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      validateAll(virtualClusters, Paths.join(path, "virtualClusters"), out);
      if (virtualClusters != null) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < virtualClusters.size(); i++) {
          VirtualCluster vc = virtualClusters.get(i);
          if (vc != null && vc.name != null && !names.add(vc.name)) {
            out.add(new Violation(Paths.join(path, "virtualClusters") + "[" + i + "].name",
                "duplicate virtual cluster name " + vc.name));
          }
        }
      }
    }
  }

  /** {@code {name, pattern (regex on the path), method}}. */
  public static class VirtualCluster extends GlooObject {
    public String name;
    public String pattern;
    public String method;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      requireText(name, Paths.join(path, "name"), out);
      Regexes.check(pattern, Paths.join(path, "pattern"), out);
    }
  }

  @Override
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out, UNSUPPORTED);
    validate(retries, Paths.join(path, "retries"), out);
    validate(headerManipulation, Paths.join(path, "headerManipulation"), out);
    validate(cors, Paths.join(path, "cors"), out);
    validate(corsPolicyMergeSettings, Paths.join(path, "corsPolicyMergeSettings"), out);
    validate(stats, Paths.join(path, "stats"), out);
    validate(bufferPerRoute, Paths.join(path, "bufferPerRoute"), out);
    validate(csrf, Paths.join(path, "csrf"), out);
  }
}
