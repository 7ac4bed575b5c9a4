package io.gloo.core.admission;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Kinds the control plane does not read, and what to say about a document of one: nothing for a well-known
 * Kubernetes kind (a Deployment next to the Services is normal), a problem for anything else — a misspelled kind,
 * an unknown group, a Gloo kind no loaded plugin serves (naming the plugin that would), a Gateway API kind this
 * control plane does not implement. Nothing is dropped silently.
 */
public final class KnownKinds {

  /** Built-in Kubernetes kinds by apiVersion: valid objects that gloo does not read. */
  private static final Map<String, Set<String>> KUBERNETES = Map.ofEntries(
      Map.entry("v1", Set.of("Pod", "ServiceAccount", "Endpoints", "PersistentVolumeClaim", "PersistentVolume",
          "LimitRange", "ResourceQuota", "Event", "Node", "ReplicationController", "PodTemplate", "Binding",
          "ComponentStatus", "List", "Service", "Secret", "ConfigMap", "Namespace")),
      Map.entry("apps/v1", Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ControllerRevision")),
      Map.entry("batch/v1", Set.of("Job", "CronJob")),
      Map.entry("autoscaling/v1", Set.of("HorizontalPodAutoscaler")),
      Map.entry("autoscaling/v2", Set.of("HorizontalPodAutoscaler")),
      Map.entry("policy/v1", Set.of("PodDisruptionBudget")),
      Map.entry("networking.k8s.io/v1", Set.of("Ingress", "IngressClass", "NetworkPolicy")),
      Map.entry("rbac.authorization.k8s.io/v1", Set.of("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding")),
      Map.entry("coordination.k8s.io/v1", Set.of("Lease")),
      Map.entry("discovery.k8s.io/v1", Set.of("EndpointSlice")),
      Map.entry("apiextensions.k8s.io/v1", Set.of("CustomResourceDefinition")),
      Map.entry("admissionregistration.k8s.io/v1", Set.of("ValidatingWebhookConfiguration",
          "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding")),
      Map.entry("scheduling.k8s.io/v1", Set.of("PriorityClass")),
      Map.entry("storage.k8s.io/v1", Set.of("StorageClass", "CSIDriver", "VolumeAttachment")));

  /** The Gloo kinds this project's plugins serve: kind → plugin id (all in the enterprise distribution). */
  private static final Map<String, String> GLOO_PLUGINS = Map.of(
      "gateway.solo.io/RouteOption", "routeoption",
      "gateway.solo.io/VirtualHostOption", "virtualhostoption",
      "gloo.solo.io/Upstream", "upstream",
      "ratelimit.solo.io/RateLimitConfig", "ratelimit",
      "enterprise.gloo.solo.io/AuthConfig", "extauth");

  private KnownKinds() {}

  /** Whether this is a built-in Kubernetes kind (at this apiVersion) that gloo has no use for. */
  public static boolean isIgnoredKubernetesKind(String apiVersion, String kind) {
    return KUBERNETES.getOrDefault(apiVersion, Set.of()).contains(kind);
  }

  /**
   * Why a document of {@code apiVersion}/{@code kind} is not read, as a problem message; empty for a well-known
   * Kubernetes kind. {@code registered} are the kinds the control plane reads now in the document's group (the
   * registry's), used with the catalog's to suggest a spelling.
   */
  public static Optional<String> whyNotServed(String apiVersion, String kind, CrdCatalog catalog,
      Collection<String> registered) {
    if (isIgnoredKubernetesKind(apiVersion, kind)) {
      return Optional.empty();
    }
    String group = group(apiVersion);
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    String what = kind + " (" + apiVersion + ")";
    Optional<Crd> crd = catalog.find(group, kind);
    if (crd.isPresent()) {
      if (crd.get().served(version).isEmpty()) {
        return Optional.of(what + ": version " + version + " of " + kind + " is not served; "
            + crd.get().origin() + " serves " + String.join(", ", crd.get().servedVersions()));
      }
      return Optional.of(glooOrUnsupported(what, group, kind));
    }
    List<String> candidates = new ArrayList<>(registered);
    candidates.addAll(catalog.kindsOf(group));
    KUBERNETES.forEach((av, kinds) -> {
      if (group(av).equals(group)) {
        candidates.addAll(kinds);
      }
    });
    Optional<String> suggestion = closest(kind, candidates);
    if (suggestion.isPresent()) {
      return Optional.of(what + ": unknown kind " + kind + " in " + (group.isEmpty() ? "the core group" : group)
          + "; did you mean " + suggestion.get() + "?");
    }
    if (group.equals(CrdCatalog.GATEWAY_API_GROUP)) {
      return Optional.of(what + " is not a kind of Gateway API " + CrdCatalog.GATEWAY_API_VERSION
          + " that this control plane reads; it is ignored");
    }
    return Optional.of(glooOrUnsupported(what, group, kind));
  }

  private static String glooOrUnsupported(String what, String group, String kind) {
    String plugin = GLOO_PLUGINS.get(group + "/" + kind);
    if (plugin != null) {
      return what + " is not served by any loaded plugin; the '" + plugin
          + "' plugin of the enterprise distribution serves it (load it with --plugins-dir); it is ignored";
    }
    if (group.endsWith(".solo.io")) {
      return what + " is not served by any loaded plugin; no plugin of this distribution serves this Gloo kind "
          + "(Gloo Gateway's " + kind + " is not implemented); it is ignored";
    }
    if (group.equals(CrdCatalog.GATEWAY_API_GROUP)) {
      return what + " is a Gateway API kind this control plane does not implement; it is ignored";
    }
    return what + " is not served by any loaded plugin nor known to gloo; it is ignored";
  }

  private static String group(String apiVersion) {
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }

  /** A kind that differs only in case or by at most two edits (not the kind itself). */
  static Optional<String> closest(String kind, Collection<String> candidates) {
    String best = null;
    int bestDistance = 3;
    for (String c : candidates) {
      if (c.equals(kind)) {
        continue;
      }
      int d = c.toLowerCase(Locale.ROOT).equals(kind.toLowerCase(Locale.ROOT)) ? 0 : distance(c, kind);
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
