package io.gloo.core.report;

import io.gloo.core.store.ResourceKey;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The status the translator computed for every input resource it processed, in the Kubernetes shape of that kind
 * (e.g. fabric8's {@code GatewayStatus}, {@code HTTPRouteStatus}); what the reporter writes back or shows.
 */
public record StatusReport(Map<ResourceKey, Object> statuses) {

  public StatusReport {
    statuses = Collections.unmodifiableMap(new TreeMap<>(statuses));
  }

  public static StatusReport empty() {
    return new StatusReport(Map.of());
  }

  public Object get(ResourceKey key) {
    return statuses.get(key);
  }
}
