package io.gloo.core.snapshot;

import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.XdsResources;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the xDS server currently serves for one Gateway: the resources and, per xDS type URL, the content-hash
 * version sent to Envoy as {@code version_info}.
 *
 * @param gateway the Gateway
 * @param group the node group ({@link ProxyNodes#groupOf(ResourceKey)}) whose proxies receive it
 * @param versions xDS type URL to version, for all five types (CDS, EDS, LDS, RDS, SDS)
 * @param resources the resources served
 * @param removed true if the Gateway has disappeared and this is the empty snapshot that makes its proxies drop
 *     their configuration
 * @param publishedAt when it was handed to the cache
 */
public record PublishedSnapshot(
    ResourceKey gateway,
    String group,
    Map<String, String> versions,
    XdsResources resources,
    boolean removed,
    Instant publishedAt) {

  public PublishedSnapshot {
    versions = Collections.unmodifiableMap(new TreeMap<>(versions));
  }

  /** The version of one type URL, or {@code ""} if unknown. */
  public String version(String typeUrl) {
    return versions.getOrDefault(typeUrl, "");
  }
}
