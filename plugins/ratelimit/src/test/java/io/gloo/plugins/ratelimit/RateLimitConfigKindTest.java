package io.gloo.plugins.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gloo.plugins.ratelimit.config.RateLimitConfigSpec;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.StatusStyle;
import io.gloo.spi.policy.Violation;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** RateLimitConfig validation names each offending field; the kind's shape is Gloo's. */
class RateLimitConfigKindTest {

  final RateLimitConfigKind kind = new RateLimitConfigKind(null);

  List<String> violations(String yaml) {
    RateLimitConfigSpec spec = YAMLMapper.builder().build().readValue(yaml, RateLimitConfigSpec.class);
    return kind.validate(spec).stream().map(Violation::toString).toList();
  }

  @Test
  void kindShape() {
    assertEquals("ratelimit.solo.io/RateLimitConfig", kind.groupKind().toString());
    assertEquals("v1alpha1", kind.version());
    assertEquals(Set.of(Attachment.REFERENCED), kind.attachments());
    assertEquals(StatusStyle.STATE_MESSAGE, kind.statusStyle());
  }

  @Test
  void aValidConfigHasNoViolations() {
    assertEquals(List.of(), violations("""
        raw:
          descriptors:
            - key: type
              value: Whatsapp
              weight: 1
              alwaysApply: true
              rateLimit: {unit: MINUTE, requestsPerUnit: 1}
              descriptors:
                - {key: number, unlimited: true}
          setDescriptors:
            - simpleDescriptors: [{key: a}, {key: b, value: c}]
              shadowMode: true
              rateLimit: {unit: day, requestsPerUnit: 10}
          rateLimits:
            - actions: [{remoteAddress: {}}]
              setActions: [{genericKey: {descriptorValue: x}}]
        """));
  }

  @Test
  void violationsNameTheField() {
    assertEquals(List.of(
        "raw.descriptors[0].key: must not be empty",
        "raw.descriptors[0].rateLimit.unit: unknown unit 'WEEK' (use SECOND, MINUTE, HOUR or DAY)",
        "raw.descriptors[1].rateLimit.requestsPerUnit: is required",
        "raw.descriptors[1].descriptors[0].color: unknown field",
        "raw.descriptors[1].descriptors[0].rateLimit.requestsPerUnit: must be in [0, 4294967295], got -1",
        "raw.descriptors[2]: duplicate descriptor key 'k'",
        "raw.setDescriptors[0].simpleDescriptors[0].key: must not be empty",
        "raw.setDescriptors[0].rateLimit: is required (or unlimited: true)",
        "raw.rateLimits[0].actions[0]: exactly one of sourceCluster, destinationCluster, requestHeaders, "
            + "remoteAddress, genericKey, headerValueMatch or metadata must be set, got 2",
        "raw.rateLimits[0].actions[1].requestHeaders.headerName: must not be empty",
        "raw.rateLimits[1]: needs at least one of actions or setActions"),
        violations("""
            raw:
              descriptors:
                - key: ""
                  rateLimit: {unit: WEEK, requestsPerUnit: 1}
                - key: k
                  rateLimit: {unit: MINUTE}
                  descriptors:
                    - {key: n, color: red, rateLimit: {unit: SECOND, requestsPerUnit: -1}}
                - key: k
              setDescriptors:
                - simpleDescriptors: [{key: ""}]
              rateLimits:
                - actions:
                    - {remoteAddress: {}, genericKey: {descriptorValue: x}}
                    - requestHeaders: {descriptorKey: d}
                - {}
            """));
  }

  @Test
  void theSelectorKeyIsReservedInEveryActionType() {
    String reserved = "\"gloo.config\" is reserved (the control plane's selector of a RateLimitConfig: reference the "
        + "config in rateLimitConfigs instead)";
    assertEquals(List.of(
        "raw.rateLimits[0].actions[0].requestHeaders.descriptorKey: " + reserved,
        "raw.rateLimits[0].actions[1].genericKey.descriptorKey: " + reserved,
        "raw.rateLimits[0].setActions[0].headerValueMatch.descriptorKey: " + reserved,
        "raw.rateLimits[0].setActions[1].metadata.descriptorKey: " + reserved),
        violations("""
            raw:
              descriptors: [{key: k, rateLimit: {unit: MINUTE, requestsPerUnit: 1}}]
              rateLimits:
                - actions:
                    - requestHeaders: {headerName: x-config, descriptorKey: gloo.config}
                    - genericKey: {descriptorKey: gloo.config, descriptorValue: other.rlc}
                  setActions:
                    - headerValueMatch: {descriptorKey: gloo.config, descriptorValue: v, headers: [{name: h}]}
                    - metadata: {descriptorKey: gloo.config, metadataKey: {key: k, path: [{key: p}]}}
            """));
  }

  @Test
  void rawIsRequired() {
    assertEquals(List.of("raw: is required (the only RateLimitConfig type implemented)"), violations("{}"));
  }
}
