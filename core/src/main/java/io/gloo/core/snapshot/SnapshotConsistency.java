package io.gloo.core.snapshot;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.gloo.core.translate.XdsResources;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Referential checks on one Gateway's xDS resources, run before a snapshot is handed to the cache.
 *
 * <p>Why not only {@code io.envoyproxy.controlplane.cache.v3.Snapshot#ensureConsistent()}: in java-control-plane
 * 1.0.49 it finds HTTP connection managers by the filter <em>name</em> {@code envoy.http_connection_manager} (the
 * pre-1.14 name, no longer what translators emit; Envoy matches filters by {@code typed_config} type) and it demands
 * that the number of referenced routes/endpoints <em>equals</em> the number present. With the canonical
 * {@code envoy.filters.network.http_connection_manager} name every listener using RDS is therefore rejected
 * ("Mismatched listener -> route reference and resource lengths"). This class applies the same rule that matters
 * for Envoy, found by type: every RDS route configuration and every EDS service name that is referenced must exist
 * (otherwise Envoy, in ADS mode, waits forever for it and the listener/cluster never warms). Unreferenced extra
 * resources are allowed: Envoy never asks for them. Duplicate names within a type are rejected because the
 * snapshot would silently keep only one of them.
 */
final class SnapshotConsistency {

  private static final String HCM_TYPE_URL = "type.googleapis.com/" + HttpConnectionManager.getDescriptor().getFullName();

  private SnapshotConsistency() {}

  /** Human-readable problems, empty if the resources are consistent. */
  static List<String> problems(XdsResources resources) {
    List<String> problems = new ArrayList<>();
    duplicates("Listener", resources.listeners().stream(), problems);
    duplicates("RouteConfiguration", resources.routes().stream(), problems);
    duplicates("Cluster", resources.clusters().stream(), problems);
    duplicates("ClusterLoadAssignment", resources.endpoints().stream(), problems);
    duplicates("Secret", resources.secrets().stream(), problems);

    Set<String> routeNames = new HashSet<>();
    for (RouteConfiguration route : resources.routes()) {
      routeNames.add(route.getName());
    }
    for (Listener listener : resources.listeners()) {
      List<FilterChain> chains = new ArrayList<>(listener.getFilterChainsList());
      if (listener.hasDefaultFilterChain()) {
        chains.add(listener.getDefaultFilterChain());
      }
      for (FilterChain chain : chains) {
        for (Filter filter : chain.getFiltersList()) {
          Any config = filter.getTypedConfig();
          if (!HCM_TYPE_URL.equals(config.getTypeUrl())) {
            continue;
          }
          HttpConnectionManager hcm;
          try {
            hcm = config.unpack(HttpConnectionManager.class);
          } catch (InvalidProtocolBufferException e) {
            problems.add("Listener '" + listener.getName() + "' filter '" + filter.getName()
                + "' has an unreadable HttpConnectionManager: " + e.getMessage());
            continue;
          }
          if (hcm.hasRds() && !routeNames.contains(hcm.getRds().getRouteConfigName())) {
            problems.add("Listener '" + listener.getName() + "' references RouteConfiguration '"
                + hcm.getRds().getRouteConfigName() + "', which is not in the snapshot");
          }
        }
      }
    }

    Set<String> endpointNames = new HashSet<>();
    for (ClusterLoadAssignment cla : resources.endpoints()) {
      endpointNames.add(cla.getClusterName());
    }
    for (Cluster cluster : resources.clusters()) {
      if (cluster.hasType() && cluster.getType() == Cluster.DiscoveryType.EDS) {
        String serviceName = cluster.getEdsClusterConfig().getServiceName();
        String wanted = serviceName.isEmpty() ? cluster.getName() : serviceName;
        if (!endpointNames.contains(wanted)) {
          problems.add("Cluster '" + cluster.getName() + "' references ClusterLoadAssignment '" + wanted
              + "', which is not in the snapshot");
        }
      }
    }
    return problems;
  }

  private static void duplicates(String kind, Stream<? extends Message> resources, List<String> problems) {
    Set<String> seen = new HashSet<>();
    Set<String> dup = new TreeSet<>();
    resources.map(Resources::getResourceName).forEach(name -> {
      if (!seen.add(name)) {
        dup.add(name);
      }
    });
    if (!dup.isEmpty()) {
      problems.add("duplicate " + kind + " names: " + String.join(", ", dup));
    }
  }
}
