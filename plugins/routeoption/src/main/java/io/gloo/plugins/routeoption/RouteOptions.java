package io.gloo.plugins.routeoption;

import io.gloo.plugins.common.BufferPerRoute;
import io.gloo.plugins.common.CorsPolicy;
import io.gloo.plugins.common.CsrfPolicy;
import io.gloo.plugins.common.Durations;
import io.gloo.plugins.common.GlooObject;
import io.gloo.plugins.common.HeaderManipulation;
import io.gloo.plugins.common.Paths;
import io.gloo.plugins.common.Percentages;
import io.gloo.plugins.common.Regexes;
import io.gloo.plugins.common.RetryPolicy;
import io.gloo.spi.policy.Violation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Gloo's RouteOptions ({@code spec.options}), the fields this plugin implements; see {@link #UNSUPPORTED}. */
public class RouteOptions extends GlooObject {

  /**
   * RouteOptions fields Gloo has that this plugin does not implement: reported as UnsupportedValue (a warning)
   * by core and otherwise ignored. Rate limiting and ext-auth arrive with their own plugins; transformations need
   * Gloo's own Envoy build.
   */
  public static final Set<String> UNSUPPORTED = Set.of(
      "transformations", "stagedTransformations",
      "ratelimit", "ratelimitBasic", "ratelimitEarly", "ratelimitRegular",
      "rateLimitConfigs", "rateLimitEarlyConfigs", "rateLimitRegularConfigs",
      "extauth", "jwt", "jwtStaged", "jwtProvidersStaged", "rbac", "waf", "dlp", "extProc", "tracing",
      "extensions", "ai", "maxRequestBytes");

  public String timeout;
  public String idleTimeout;
  public MaxStreamDuration maxStreamDuration;
  public RetryPolicy retries;
  public Faults faults;
  public String prefixRewrite;
  public RegexRewrite regexRewrite;
  public String hostRewrite;
  public Boolean autoHostRewrite;
  public String hostRewriteHeader;
  public RegexRewrite hostRewritePathRegex;
  public Boolean appendXForwardedHost;
  public HeaderManipulation headerManipulation;
  public CorsPolicy cors;
  public Shadowing shadowing;
  public LbHash lbHash;
  public List<Upgrade> upgrades;
  public Map<String, Map<String, Object>> envoyMetadata;
  public BufferPerRoute bufferPerRoute;
  public CsrfPolicy csrf;

  /** {@code {maxStreamDuration, grpcTimeoutHeaderMax, grpcTimeoutHeaderOffset}}. */
  public static class MaxStreamDuration extends GlooObject {
    public String maxStreamDuration;
    public String grpcTimeoutHeaderMax;
    public String grpcTimeoutHeaderOffset;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      Durations.check(maxStreamDuration, Paths.join(path, "maxStreamDuration"), out);
      Durations.check(grpcTimeoutHeaderMax, Paths.join(path, "grpcTimeoutHeaderMax"), out);
      Durations.check(grpcTimeoutHeaderOffset, Paths.join(path, "grpcTimeoutHeaderOffset"), out);
    }
  }

  /** {@code {abort{percentage, httpStatus}, delay{percentage, fixedDelay}}}. */
  public static class Faults extends GlooObject {
    public Abort abort;
    public Delay delay;

    public static class Abort extends GlooObject {
      public Double percentage;
      public Integer httpStatus;

      @Override
      public void validate(String path, List<Violation> out) {
        checkUnknown(path, out);
        Percentages.check(percentage, Paths.join(path, "percentage"), out);
        if (httpStatus == null || httpStatus < 200 || httpStatus >= 600) {
          out.add(new Violation(Paths.join(path, "httpStatus"), "must be an HTTP status in [200, 600), got "
              + httpStatus));
        }
      }
    }

    public static class Delay extends GlooObject {
      public Double percentage;
      public String fixedDelay;

      @Override
      public void validate(String path, List<Violation> out) {
        checkUnknown(path, out);
        Percentages.check(percentage, Paths.join(path, "percentage"), out);
        if (fixedDelay == null) {
          out.add(new Violation(Paths.join(path, "fixedDelay"), "is required"));
        }
        Durations.check(fixedDelay, Paths.join(path, "fixedDelay"), out);
      }
    }

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      validate(abort, Paths.join(path, "abort"), out);
      validate(delay, Paths.join(path, "delay"), out);
    }
  }

  /** {@code {pattern{regex}, substitution}}. */
  public static class RegexRewrite extends GlooObject {
    public Pattern pattern;
    public String substitution;

    /** {@code {regex}} (Envoy RegexMatcher); the deprecated {@code googleRe2} is accepted and ignored. */
    public static class Pattern extends GlooObject {
      public String regex;
      public Object googleRe2;
    }

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      if (pattern == null) {
        out.add(new Violation(Paths.join(path, "pattern"), "is required"));
      } else {
        pattern.validate(Paths.join(path, "pattern"), out);
        Regexes.check(pattern.regex, Paths.join(path, "pattern.regex"), out);
      }
      if (substitution == null) {
        out.add(new Violation(Paths.join(path, "substitution"), "is required"));
      }
    }
  }

  /** {@code {upstream{name, namespace}, percentage}}. */
  public static class Shadowing extends GlooObject {
    public ResourceRef upstream;
    public Double percentage;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      if (upstream == null || upstream.name == null || upstream.name.isEmpty()) {
        out.add(new Violation(Paths.join(path, "upstream.name"), "is required"));
      } else {
        upstream.validate(Paths.join(path, "upstream"), out);
      }
      Percentages.check(percentage, Paths.join(path, "percentage"), out);
    }
  }

  /** {@code {name, namespace}}. */
  public static class ResourceRef extends GlooObject {
    public String name;
    public String namespace;
  }

  /** {@code {hashPolicies[{header | cookie{name, ttl, path} | sourceIp, terminal}]}}. */
  public static class LbHash extends GlooObject {
    public List<HashPolicy> hashPolicies;

    public static class HashPolicy extends GlooObject {
      public String header;
      public Cookie cookie;
      public Boolean sourceIp;
      public Boolean terminal;

      @Override
      public void validate(String path, List<Violation> out) {
        checkUnknown(path, out);
        int set = (header != null ? 1 : 0) + (cookie != null ? 1 : 0) + (Boolean.TRUE.equals(sourceIp) ? 1 : 0);
        if (set != 1) {
          out.add(new Violation(path, "exactly one of header, cookie or sourceIp: true must be set"));
        }
        if (header != null && header.isEmpty()) {
          out.add(new Violation(Paths.join(path, "header"), "must not be empty"));
        }
        validate(cookie, Paths.join(path, "cookie"), out);
      }
    }

    public static class Cookie extends GlooObject {
      public String name;
      public String ttl;
      public String path;

      @Override
      public void validate(String path, List<Violation> out) {
        checkUnknown(path, out);
        if (name == null || name.isEmpty()) {
          out.add(new Violation(Paths.join(path, "name"), "is required"));
        }
        Durations.check(ttl, Paths.join(path, "ttl"), out);
      }
    }

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      validateAll(hashPolicies, Paths.join(path, "hashPolicies"), out);
    }
  }

  /** One of {@code {websocket{enabled}}} or {@code {connect{enabled}}}. */
  public static class Upgrade extends GlooObject {
    public Enabled websocket;
    public Enabled connect;

    public static class Enabled extends GlooObject {
      public Boolean enabled;
    }

    String type() {
      return websocket != null ? "websocket" : "CONNECT";
    }

    Enabled config() {
      return websocket != null ? websocket : connect;
    }

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      if ((websocket == null) == (connect == null)) {
        out.add(new Violation(path, "exactly one of websocket or connect must be set"));
      }
      validate(websocket, Paths.join(path, "websocket"), out);
      validate(connect, Paths.join(path, "connect"), out);
    }
  }

  @Override
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out, UNSUPPORTED);
    Durations.check(timeout, Paths.join(path, "timeout"), out);
    Durations.check(idleTimeout, Paths.join(path, "idleTimeout"), out);
    validate(maxStreamDuration, Paths.join(path, "maxStreamDuration"), out);
    validate(retries, Paths.join(path, "retries"), out);
    validate(faults, Paths.join(path, "faults"), out);
    validate(regexRewrite, Paths.join(path, "regexRewrite"), out);
    if (prefixRewrite != null && regexRewrite != null) {
      out.add(new Violation(Paths.join(path, "regexRewrite"), "cannot be combined with prefixRewrite"));
    }
    List<String> hostRewrites = new ArrayList<>();
    if (hostRewrite != null) {
      hostRewrites.add("hostRewrite");
    }
    if (Boolean.TRUE.equals(autoHostRewrite)) {
      hostRewrites.add("autoHostRewrite");
    }
    if (hostRewriteHeader != null) {
      hostRewrites.add("hostRewriteHeader");
    }
    if (hostRewritePathRegex != null) {
      hostRewrites.add("hostRewritePathRegex");
    }
    if (hostRewrites.size() > 1) {
      out.add(new Violation(Paths.join(path, hostRewrites.get(1)), "only one of hostRewrite, autoHostRewrite, "
          + "hostRewriteHeader, hostRewritePathRegex may be set; found " + String.join(", ", hostRewrites)));
    }
    validate(hostRewritePathRegex, Paths.join(path, "hostRewritePathRegex"), out);
    validate(headerManipulation, Paths.join(path, "headerManipulation"), out);
    validate(cors, Paths.join(path, "cors"), out);
    validate(shadowing, Paths.join(path, "shadowing"), out);
    validate(lbHash, Paths.join(path, "lbHash"), out);
    validateAll(upgrades, Paths.join(path, "upgrades"), out);
    if (upgrades != null) {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < upgrades.size(); i++) {
        Upgrade u = upgrades.get(i);
        if (u != null && (u.websocket != null || u.connect != null) && !seen.add(u.type())) {
          out.add(new Violation(Paths.join(path, "upgrades") + "[" + i + "]", "upgrade type " + u.type()
              + " is configured more than once"));
        }
      }
    }
    if (envoyMetadata != null) {
      for (String key : envoyMetadata.keySet()) {
        if (key.equals(RouteOptionTranslator.SOURCE_METADATA_KEY)) {
          out.add(new Violation(Paths.join(path, "envoyMetadata") + "." + key,
              "is reserved for the source attribution core adds"));
        }
      }
    }
    validate(bufferPerRoute, Paths.join(path, "bufferPerRoute"), out);
    validate(csrf, Paths.join(path, "csrf"), out);
  }
}
