package io.gloo.plugins.ratelimit.config;

import io.gloo.plugins.common.GlooObject;
import io.gloo.plugins.common.Paths;
import io.gloo.plugins.common.Regexes;
import io.gloo.spi.policy.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One Gloo rate-limit action (exactly one field set), each the Envoy {@code RateLimit.Action} of the same name:
 * {@code sourceCluster{}}, {@code destinationCluster{}}, {@code requestHeaders{headerName, descriptorKey}},
 * {@code remoteAddress{}}, {@code genericKey{descriptorValue, descriptorKey?}},
 * {@code headerValueMatch{descriptorValue, descriptorKey?, expectMatch, headers[]}},
 * {@code metadata{descriptorKey, metadataKey{key, path[{key}]}, defaultValue, source: DYNAMIC|ROUTE_ENTRY}}.
 */
public class Action extends GlooObject {

  /**
   * The descriptor key the control plane reserves for its (signed) config selector; an action may not produce it,
   * whatever its type, so that an option cannot name another namespace's config.
   */
  public static final String RESERVED_KEY = "gloo.config";

  public Map<String, Object> sourceCluster;
  public Map<String, Object> destinationCluster;
  public RequestHeaders requestHeaders;
  public Map<String, Object> remoteAddress;
  public GenericKey genericKey;
  public HeaderValueMatch headerValueMatch;
  public Metadata metadata;

  /** {@code {headerName, descriptorKey, skipIfAbsent?}}. */
  public static class RequestHeaders extends GlooObject {
    public String headerName;
    public String descriptorKey;
    public Boolean skipIfAbsent;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      required(headerName, Paths.join(path, "headerName"), out);
      required(descriptorKey, Paths.join(path, "descriptorKey"), out);
    }
  }

  /** {@code {descriptorValue, descriptorKey?}}; the key defaults to Envoy's {@code generic_key}. */
  public static class GenericKey extends GlooObject {
    public String descriptorValue;
    public String descriptorKey;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      required(descriptorValue, Paths.join(path, "descriptorValue"), out);
    }
  }

  /** {@code {descriptorValue, descriptorKey?, expectMatch (default true), headers[]}}. */
  public static class HeaderValueMatch extends GlooObject {
    public String descriptorValue;
    public String descriptorKey;
    public Boolean expectMatch;
    public List<HeaderMatcher> headers;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      required(descriptorValue, Paths.join(path, "descriptorValue"), out);
      if (headers == null || headers.isEmpty()) {
        out.add(new Violation(Paths.join(path, "headers"), "needs at least one header matcher"));
      }
      validateAll(headers, Paths.join(path, "headers"), out);
    }
  }

  /**
   * Gloo's header matcher: {@code name} and at most one of {@code exactMatch}, {@code regexMatch},
   * {@code safeRegexMatch{regex}}, {@code rangeMatch{start, end}}, {@code presentMatch}, {@code prefixMatch},
   * {@code suffixMatch}; {@code invertMatch}. None set means "present".
   */
  public static class HeaderMatcher extends GlooObject {
    public String name;
    public String exactMatch;
    public String regexMatch;
    public SafeRegex safeRegexMatch;
    public RangeMatch rangeMatch;
    public Boolean presentMatch;
    public String prefixMatch;
    public String suffixMatch;
    public Boolean invertMatch;

    /** {@code {regex}}; the deprecated {@code googleRe2} is accepted and ignored. */
    public static class SafeRegex extends GlooObject {
      public String regex;
      public Object googleRe2;
    }

    /** {@code {start, end}}: {@code start <= value < end}. */
    public static class RangeMatch extends GlooObject {
      public Long start;
      public Long end;
    }

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      required(name, Paths.join(path, "name"), out);
      List<String> set = new ArrayList<>();
      if (exactMatch != null) {
        set.add("exactMatch");
      }
      if (regexMatch != null) {
        set.add("regexMatch");
        Regexes.check(regexMatch, Paths.join(path, "regexMatch"), out);
      }
      if (safeRegexMatch != null) {
        set.add("safeRegexMatch");
        safeRegexMatch.validate(Paths.join(path, "safeRegexMatch"), out);
        required(safeRegexMatch.regex, Paths.join(path, "safeRegexMatch.regex"), out);
        Regexes.check(safeRegexMatch.regex, Paths.join(path, "safeRegexMatch.regex"), out);
      }
      if (rangeMatch != null) {
        set.add("rangeMatch");
        rangeMatch.validate(Paths.join(path, "rangeMatch"), out);
        if (rangeMatch.start == null || rangeMatch.end == null || rangeMatch.start >= rangeMatch.end) {
          out.add(new Violation(Paths.join(path, "rangeMatch"), "needs start < end"));
        }
      }
      if (presentMatch != null) {
        set.add("presentMatch");
      }
      if (prefixMatch != null) {
        set.add("prefixMatch");
      }
      if (suffixMatch != null) {
        set.add("suffixMatch");
      }
      if (set.size() > 1) {
        out.add(new Violation(path, "only one match type may be set, got " + String.join(", ", set)));
      }
    }
  }

  /**
   * {@code {descriptorKey, metadataKey{key, path[{key}]}, defaultValue?, source: DYNAMIC|ROUTE_ENTRY,
   * skipIfAbsent?}}.
   */
  public static class Metadata extends GlooObject {
    public String descriptorKey;
    public MetadataKey metadataKey;
    public String defaultValue;
    public String source;
    public Boolean skipIfAbsent;

    /** {@code {key, path[{key}]}}: a filter namespace and the path inside it. */
    public static class MetadataKey extends GlooObject {
      public String key;
      public List<PathSegment> path;

      @Override
      public void validate(String path, List<Violation> out) {
        checkUnknown(path, out);
        required(key, Paths.join(path, "key"), out);
        if (this.path == null || this.path.isEmpty()) {
          out.add(new Violation(Paths.join(path, "path"), "needs at least one segment"));
        }
        validateAll(this.path, Paths.join(path, "path"), out);
      }
    }

    /** {@code {key}}. */
    public static class PathSegment extends GlooObject {
      public String key;

      @Override
      public void validate(String path, List<Violation> out) {
        checkUnknown(path, out);
        required(key, Paths.join(path, "key"), out);
      }
    }

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      required(descriptorKey, Paths.join(path, "descriptorKey"), out);
      if (metadataKey == null) {
        out.add(new Violation(Paths.join(path, "metadataKey"), "is required"));
      } else {
        metadataKey.validate(Paths.join(path, "metadataKey"), out);
      }
      if (source != null && !source.equals("DYNAMIC") && !source.equals("ROUTE_ENTRY")) {
        out.add(new Violation(Paths.join(path, "source"), "must be DYNAMIC or ROUTE_ENTRY, got '" + source + "'"));
      }
    }
  }

  static void required(String value, String field, List<Violation> out) {
    if (value == null || value.isEmpty()) {
      out.add(new Violation(field, "must not be empty"));
    }
  }

  /** How many of the one-of fields are set. */
  int setCount() {
    int n = 0;
    for (Object f : new Object[] {sourceCluster, destinationCluster, requestHeaders, remoteAddress, genericKey,
        headerValueMatch, metadata}) {
      if (f != null) {
        n++;
      }
    }
    return n;
  }

  @Override
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out);
    int n = setCount();
    if (n != 1) {
      out.add(new Violation(path, "exactly one of sourceCluster, destinationCluster, requestHeaders, remoteAddress, "
          + "genericKey, headerValueMatch or metadata must be set, got " + n));
    }
    validate(requestHeaders, Paths.join(path, "requestHeaders"), out);
    validate(genericKey, Paths.join(path, "genericKey"), out);
    validate(headerValueMatch, Paths.join(path, "headerValueMatch"), out);
    validate(metadata, Paths.join(path, "metadata"), out);
    reserved(requestHeaders == null ? null : requestHeaders.descriptorKey,
        Paths.join(path, "requestHeaders.descriptorKey"), out);
    reserved(genericKey == null ? null : genericKey.descriptorKey, Paths.join(path, "genericKey.descriptorKey"), out);
    reserved(headerValueMatch == null ? null : headerValueMatch.descriptorKey,
        Paths.join(path, "headerValueMatch.descriptorKey"), out);
    reserved(metadata == null ? null : metadata.descriptorKey, Paths.join(path, "metadata.descriptorKey"), out);
  }

  private static void reserved(String key, String field, List<Violation> out) {
    if (RESERVED_KEY.equals(key)) {
      out.add(new Violation(field, "\"" + RESERVED_KEY + "\" is reserved (the control plane's selector of a "
          + "RateLimitConfig: reference the config in rateLimitConfigs instead)"));
    }
  }
}
