package io.gloo.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gloo.core.snapshot.PublishCheck;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.TranslationJson;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.validate.SnapshotValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What every translation must satisfy, whatever its input: for fuzz tests (core's and the plugins').
 *
 * <ul>
 *   <li>every Gateway's resources pass the check {@code gloo serve} runs before it publishes ({@link PublishCheck}:
 *       consistency and the {@code validate.rules} validator), so a bad resource never holds a whole Gateway at its
 *       last good snapshot;</li>
 *   <li>a rejected resource changes no other resource's translation: a route that no parent accepted, taken out,
 *       leaves every Gateway's xDS and every other Gateway API status as they were (a policy targeting it may
 *       rightly report a dangling target); a Gateway that is not accepted, taken out,
 *       leaves the other Gateways' xDS as they were.</li>
 * </ul>
 */
public final class TranslationInvariants {

  private static final Set<String> ROUTE_KINDS = Set.of("HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute");

  private TranslationInvariants() {}

  public static void assertPublishable(TranslationResult result, SnapshotValidator validator) {
    for (Map.Entry<ResourceKey, XdsResources> gateway : result.gateways().entrySet()) {
      PublishCheck.Verdict verdict = PublishCheck.check(gateway.getValue(), validator);
      assertTrue(verdict.publishable(), () -> gateway.getKey() + ": snapshot would not be published: "
          + String.join("; ", verdict.problems()));
    }
  }

  /**
   * Takes out each rejected route and Gateway (at most {@code max}, in key order) and translates again with
   * {@code translate}: what is left must translate as it did with the rejected resource present.
   */
  public static void assertRejectedIsolated(ResourceSnapshot snapshot, TranslationResult result,
      Function<ResourceSnapshot, TranslationResult> translate, int max) {
    ObjectNode statuses = TranslationJson.statuses(result.statuses().statuses());
    List<HasMetadata> rejected = new ArrayList<>();
    for (HasMetadata resource : snapshot.all()) {
      JsonNode status = statuses.get(ResourceKey.of(resource).toString());
      if (status != null && rejected(resource.getKind(), status)) {
        rejected.add(resource);
      }
    }
    rejected.sort(java.util.Comparator.comparing(ResourceKey::of));
    ObjectNode gateways = gatewaysJson(result);
    for (HasMetadata bad : rejected.subList(0, Math.min(max, rejected.size()))) {
      ResourceKey badKey = ResourceKey.of(bad);
      List<HasMetadata> others = snapshot.all().stream().filter(r -> !ResourceKey.of(r).equals(badKey)).toList();
      TranslationResult without = translate.apply(ResourceSnapshot.of(others, snapshot.problems()));
      ObjectNode gatewaysWithout = gatewaysJson(without);
      if (bad.getKind().equals("Gateway")) {
        ObjectNode expected = gateways.deepCopy();
        expected.remove(badKey.namespacedName());
        assertEquals(expected, gatewaysWithout, () -> "Gateway " + badKey + " is not accepted, yet it changed"
            + " the other Gateways' xDS");
      } else {
        assertEquals(gateways, gatewaysWithout, () -> badKey + " is accepted by no parent, yet it changed xDS");
        ObjectNode expected = gatewayApiStatuses(statuses);
        expected.remove(badKey.toString());
        assertEquals(expected, gatewayApiStatuses(TranslationJson.statuses(without.statuses().statuses())),
            () -> badKey + " is accepted by no parent, yet it changed other resources' statuses");
      }
    }
  }

  /**
   * The statuses of Gateway API kinds only: a policy that targets the removed route rightly says its target is gone
   * (a dangling targetRef), which is not the removed route changing another's translation.
   */
  private static ObjectNode gatewayApiStatuses(ObjectNode statuses) {
    ObjectNode kept = statuses.deepCopy();
    statuses.propertyNames().forEach(key -> {
      String kind = key.substring(0, key.indexOf('/') < 0 ? key.length() : key.indexOf('/'));
      if (!kind.equals("Gateway") && !kind.equals("GatewayClass") && !ROUTE_KINDS.contains(kind)) {
        kept.remove(key);
      }
    });
    return kept;
  }

  private static ObjectNode gatewaysJson(TranslationResult result) {
    ObjectNode node = TranslationJson.mapper().createObjectNode();
    result.gateways().forEach((key, xds) -> node.set(key.namespacedName(), TranslationJson.xds(xds)));
    return node;
  }

  /** A route every parent refused ({@code Accepted=False}), or a Gateway with {@code Accepted=False}. */
  static boolean rejected(String kind, JsonNode status) {
    if (kind.equals("Gateway")) {
      return acceptedFalse(status.path("conditions"));
    }
    if (!ROUTE_KINDS.contains(kind)) {
      return false;
    }
    JsonNode parents = status.path("parents");
    if (!parents.isArray() || parents.isEmpty()) {
      return false;
    }
    for (JsonNode parent : parents) {
      if (!acceptedFalse(parent.path("conditions"))) {
        return false;
      }
    }
    return true;
  }

  private static boolean acceptedFalse(JsonNode conditions) {
    for (JsonNode c : conditions) {
      if ("Accepted".equals(c.path("type").asString()) && "False".equals(c.path("status").asString())) {
        return true;
      }
    }
    return false;
  }
}
