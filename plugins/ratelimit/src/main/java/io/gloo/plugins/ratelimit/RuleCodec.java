package io.gloo.plugins.ratelimit;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.gloo.plugins.ratelimit.config.RateLimitConfigSpec;
import io.gloo.plugins.ratelimit.service.ConfigGrants;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The server-side rules as the control plane publishes them to standalone replicas:
 * {@code {"descriptorKey": base64, "domains": {domain: raw}}} — the key that signs config selectors
 * ({@link ConfigGrants}; the stream carries credentials already, and never logs its content) and, per domain, its
 * {@code raw} spec ({@code descriptors}, {@code setDescriptors}; the client-side {@code rateLimits} are left out —
 * the service does not need them). Deterministic (sorted by domain, nulls omitted), so an unchanged rule set
 * publishes the same text and is not resent.
 */
final class RuleCodec {

  private static final ObjectMapper JSON = JsonMapper.builder()
      .changeDefaultPropertyInclusion(i -> JsonInclude.Value.construct(JsonInclude.Include.NON_NULL,
          JsonInclude.Include.NON_NULL))
      .build();
  private static final ObjectMapper YAML = YAMLMapper.builder().build();
  /** What a standalone replica receives. */
  record Published(String descriptorKey, TreeMap<String, RateLimitConfigSpec.Raw> domains) {}

  private RuleCodec() {}

  static String encode(Map<String, RateLimitConfigSpec.Raw> byDomain, ConfigGrants grants) {
    Map<String, RateLimitConfigSpec.Raw> serverSide = new TreeMap<>();
    byDomain.forEach((domain, raw) -> {
      RateLimitConfigSpec.Raw copy = new RateLimitConfigSpec.Raw();
      copy.descriptors = raw.descriptors;
      copy.setDescriptors = raw.setDescriptors;
      serverSide.put(domain, copy);
    });
    return JSON.writeValueAsString(new Published(grants.encodedKey(), new TreeMap<>(serverSide)));
  }

  static Published decode(String json) {
    return JSON.readValue(json, Published.class);
  }

  /** A {@code raw}-shaped rules file (YAML or JSON). */
  static RateLimitConfigSpec.Raw readRaw(String yaml) {
    return YAML.readValue(yaml, RateLimitConfigSpec.Raw.class);
  }
}
