package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.policy.PolicyResolver;
import io.gloo.spi.policy.Attachment;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What translating the rules of one route read besides the route itself and the inputs that invalidate every route
 * ({@link RoutePlans}), and the side effects the translation had on {@link Backends} that a reuse must repeat.
 * A route whose translation involved anything not tracked here (plugin policies, plugin backends, BackendTLSPolicies)
 * is marked not reusable and is translated again next time; references to kinds no plugin serves are tracked. Not thread-safe: one route's translation.
 */
final class RouteInputs {

  /** A Service port the route's backendRefs or mirrors resolved to a cluster. */
  record ServicePortRef(String namespace, String name, int port, String cluster) {}

  /** Services looked up that did not exist, in lookup order. */
  private final List<ResourceKey> missing = new ArrayList<>();
  /** Services looked up and found. */
  private final List<HasMetadata> found = new ArrayList<>();
  private final List<ServicePortRef> serviceClusters = new ArrayList<>();
  private final List<String> http2Clusters = new ArrayList<>();
  private final List<KindLookup> unservedKinds = new ArrayList<>();
  private String notReusable;

  /** The translation looked {@code key} up and found {@code resource} (null when absent). */
  void read(ResourceKey key, HasMetadata resource) {
    if (resource == null) {
      missing.add(key);
    } else {
      found.add(resource);
    }
  }

  /** A Service port was resolved to {@code cluster} (which {@link Backends} built if it was the first to ask). */
  void serviceCluster(String namespace, String name, int port, String cluster) {
    serviceClusters.add(new ServicePortRef(namespace, name, port, cluster));
  }

  /** The cluster was marked HTTP/2 (a GRPCRoute's backend). */
  void http2(String cluster) {
    http2Clusters.add(cluster);
  }

  /**
   * The translation asked whether a plugin serves {@code group/kind} with {@code attachment}. Served: the route uses
   * plugin policies (never reused). Not served: the reference fails, and stays failed while no plugin serves it.
   */
  void pluginKind(String group, String kind, Attachment attachment, boolean served) {
    if (served) {
      notReusable("references a plugin's " + group + "/" + kind);
    } else {
      unservedKinds.add(new KindLookup(group, kind, attachment));
    }
  }

  /** A plugin kind the translation found no plugin for. */
  record KindLookup(String group, String kind, Attachment attachment) {}

  /** Whether no plugin serves, still, any of the kinds that none served. */
  boolean kindsStillUnserved(PolicyResolver policies) {
    for (KindLookup k : unservedKinds) {
      if (policies.kind(k.group(), k.kind(), k.attachment()).isPresent()) {
        return false;
      }
    }
    return true;
  }

  /** The translation depends on something not tracked here: never reuse it. */
  void notReusable(String why) {
    if (notReusable == null) {
      notReusable = why;
    }
  }

  boolean reusable() {
    return notReusable == null;
  }

  /** Why the translation cannot be reused, or null. */
  String notReusableReason() {
    return notReusable;
  }

  /**
   * Whether every resource read is, by identity, still what {@code snapshot} holds: those found are among
   * {@code present} (the snapshot's resources of their kind, by identity; a snapshot holds one instance per key), and
   * those missing still are.
   */
  boolean unchangedIn(ResourceSnapshot snapshot, Set<HasMetadata> present) {
    for (int i = 0; i < found.size(); i++) {
      if (!present.contains(found.get(i))) {
        return false;
      }
    }
    for (int i = 0; i < missing.size(); i++) {
      if (snapshot.get(missing.get(i)).isPresent()) {
        return false;
      }
    }
    return true;
  }

  /** Replaces the cluster names by canonical instances (many routes share a cluster; fewer objects to visit). */
  void internClusters(java.util.function.UnaryOperator<String> intern) {
    for (int i = 0; i < serviceClusters.size(); i++) {
      ServicePortRef ref = serviceClusters.get(i);
      serviceClusters.set(i, new ServicePortRef(intern.apply(ref.namespace()), intern.apply(ref.name()), ref.port(),
          intern.apply(ref.cluster())));
    }
    for (int i = 0; i < http2Clusters.size(); i++) {
      http2Clusters.set(i, intern.apply(http2Clusters.get(i)));
    }
  }

  List<ServicePortRef> serviceClusters() {
    return serviceClusters;
  }

  List<String> http2Clusters() {
    return http2Clusters;
  }
}
