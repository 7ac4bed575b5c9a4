package io.gloo.core.xds;

import com.google.errorprone.annotations.ThreadSafe;
import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.gloo.core.snapshot.ProxyNodes;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The cache as the xDS server sees it, minus a NACK storm: java-control-plane answers a NACK (which carries the
 * last version the proxy accepted) by resending the current snapshot at once, which the proxy rejects again, in a
 * tight loop until the config changes. When a state-of-the-world request NACKs exactly the version the cache holds,
 * this watcher treats it as already delivered, so the proxy's watch waits for the next version instead.
 *
 * <p>It also keeps a restart of the control plane from resending anything: a reconnecting Envoy asks, on its new
 * stream, for the resources it watches with the version it runs. java-control-plane answers a request naming
 * resources the stream has not acknowledged yet at once, whatever the version, so every proxy would get its EDS and
 * RDS again after a restart. Versions are hashes of content ({@code SnapshotPublisher}), and a snapshot's endpoints
 * and route configurations are exactly those its clusters and listeners refer to, so a proxy running the current
 * version of a type already has every resource of it that it can ask for: such a request on a stream that has
 * acknowledged nothing of that type is treated as acknowledged, and waits for the next version.
 */
@ThreadSafe
public final class NackHoldingConfigWatcher implements ConfigWatcher {

  private final SimpleCache<String> cache;
  private final ProxyTracker tracker;

  public NackHoldingConfigWatcher(SimpleCache<String> cache, ProxyTracker tracker) {
    this.cache = cache;
    this.tracker = tracker;
  }

  @Override
  public Watch createWatch(boolean ads, XdsRequest request, Set<String> knownResourceNames,
      Consumer<Response> responseConsumer, boolean hasClusterChanged, boolean allowDefaultEmptyEdsUpdate) {
    return cache.createWatch(ads, holdIfRejectingCurrent(request), resumed(request, knownResourceNames),
        responseConsumer, hasClusterChanged, allowDefaultEmptyEdsUpdate);
  }

  /** The resources a fresh stream's request names, when it already runs the current version of its type. */
  private Set<String> resumed(XdsRequest request, Set<String> knownResourceNames) {
    if (!knownResourceNames.isEmpty() || request.getVersionInfo().isEmpty() || request.hasErrorDetail()
        || !request.v3Request().hasNode() || request.getResourceNamesList().isEmpty()) {
      return knownResourceNames;
    }
    Snapshot snapshot = cache.getSnapshot(ProxyNodes.groupOf(request.v3Request().getNode()));
    if (snapshot == null || !request.getVersionInfo().equals(snapshot.version(request.getTypeUrl()))) {
      return knownResourceNames;
    }
    return Set.copyOf(request.getResourceNamesList());
  }

  private XdsRequest holdIfRejectingCurrent(XdsRequest request) {
    if (!request.hasErrorDetail() || !request.v3Request().hasNode()) {
      return request;
    }
    Snapshot snapshot = cache.getSnapshot(ProxyNodes.groupOf(request.v3Request().getNode()));
    Optional<Nack> nack = tracker.activeNack(request.v3Request().getNode().getId(), request.getTypeUrl());
    if (snapshot == null || nack.isEmpty()) {
      return request;
    }
    String current = snapshot.version(request.getTypeUrl());
    if (current == null || !current.equals(nack.get().rejectedVersion())) {
      return request; // a newer version than the rejected one exists: send it
    }
    return XdsRequest.create(request.v3Request().toBuilder().setVersionInfo(current).build());
  }

  @Override
  public DeltaWatch createDeltaWatch(DeltaXdsRequest request, String requesterVersion,
      Map<String, String> resourceVersions, Set<String> pendingResources, boolean isWildcard,
      Consumer<DeltaResponse> responseConsumer, boolean hasClusterChanged) {
    return cache.createDeltaWatch(request, requesterVersion, resourceVersions, pendingResources, isWildcard,
        responseConsumer, hasClusterChanged);
  }
}
