package io.gloo.core.translate;

import io.gloo.core.report.StatusReport;
import io.gloo.core.store.ResourceKey;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Output of one translation: the xDS resources of every Gateway of our class (keyed by the Gateway) and the status
 * of every input resource that was processed.
 */
public record TranslationResult(Map<ResourceKey, XdsResources> gateways, StatusReport statuses) {

  public TranslationResult {
    gateways = Collections.unmodifiableMap(new TreeMap<>(gateways));
  }
}
