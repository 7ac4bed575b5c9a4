package io.gloo.core.translate;

import io.gloo.core.report.StatusReport;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.xds.InvalidRoute;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Output of one translation: the xDS resources of every Gateway of our class (keyed by the Gateway), the status
 * of every input resource that was processed, and how many Envoy routes Envoy would have rejected, by what was
 * served instead (for {@code gloo_invalid_routes{outcome}}).
 */
public record TranslationResult(Map<ResourceKey, XdsResources> gateways, StatusReport statuses,
    Map<InvalidRoute.Outcome, Integer> invalidRoutes) {

  public TranslationResult {
    gateways = Collections.unmodifiableMap(new TreeMap<>(gateways));
    EnumMap<InvalidRoute.Outcome, Integer> counts = new EnumMap<>(InvalidRoute.Outcome.class);
    counts.putAll(invalidRoutes);
    invalidRoutes = Collections.unmodifiableMap(counts);
  }

  /** Without invalid routes counted. */
  public TranslationResult(Map<ResourceKey, XdsResources> gateways, StatusReport statuses) {
    this(gateways, statuses, Map.of());
  }

  /** How many routes of this outcome the translation replaced, left out or pointed at unresolved clusters. */
  public int invalidRoutes(InvalidRoute.Outcome outcome) {
    return invalidRoutes.getOrDefault(outcome, 0);
  }
}
