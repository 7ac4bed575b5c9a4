package io.gloo.core.conformance;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gloo.core.provision.ProxyProvisioner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * {@code InfrastructurePropagation} (upstream {@code GatewayInfrastructure}) checked on what the provisioner creates for
 * the Gateway ({@link ProxyProvisioner#rendered}), since no cluster runs it here: the ServiceAccounts, Pods (the
 * Deployment's pod template) and Services in the namespace that carry the selector's label must not all be absent,
 * and the first of each kind must carry {@code spec.infrastructure}'s labels and annotations. Stateless.
 */
final class InfrastructureCheck {

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private InfrastructureCheck() {}

  static void check(JsonNode gatewayObject, JsonNode s, List<String> diffs) {
    if (gatewayObject == null) {
      diffs.add("no such Gateway");
      return;
    }
    Gateway gateway = JSON.unmarshal(gatewayObject.toString(), Gateway.class);
    if (!ConformanceSuite.GATEWAY_CLASS_NAME.equals(gateway.getSpec().getGatewayClassName())) {
      diffs.add("Gateway of class " + gateway.getSpec().getGatewayClassName() + ": not provisioned by us");
      return;
    }
    JsonNode selector = s.path("generatedResourceSelector");
    String namespace = selector.path("namespace").asString(gateway.getMetadata().getNamespace());
    Map<String, String> wantedLabels = pairs(selector.path("labelSelector").asString(""));
    Map<String, List<ObjectMeta>> byKind = new LinkedHashMap<>();
    for (JsonNode k : selector.path("kinds")) {
      byKind.put(k.asString(), new ArrayList<>());
    }
    for (HasMetadata o : ProxyProvisioner.rendered(gateway, ProxyProvisioner.Options.defaults("gloo-system"))) {
      ObjectMeta meta = o.getMetadata();
      if (o instanceof Deployment d) {
        // the Deployment's pods: its template's metadata, in its namespace
        meta = new ObjectMeta();
        meta.setNamespace(d.getMetadata().getNamespace());
        meta.setLabels(d.getSpec().getTemplate().getMetadata().getLabels());
        meta.setAnnotations(d.getSpec().getTemplate().getMetadata().getAnnotations());
        add(byKind, "Pod", meta, namespace, wantedLabels);
      }
      add(byKind, o.getKind(), meta, namespace, wantedLabels);
    }
    if (byKind.values().stream().allMatch(List::isEmpty)) {
      diffs.add("the provisioner creates no " + byKind.keySet() + " labelled " + wantedLabels + " in " + namespace);
      return;
    }
    byKind.forEach((kind, metas) -> {
      if (!metas.isEmpty()) {
        contains(kind + " labels", metas.get(0).getLabels(), s.path("mustContainLabels"), diffs);
        contains(kind + " annotations", metas.get(0).getAnnotations(), s.path("mustContainAnnotations"), diffs);
      }
    });
  }

  private static void add(Map<String, List<ObjectMeta>> byKind, String kind, ObjectMeta meta, String namespace,
      Map<String, String> wantedLabels) {
    List<ObjectMeta> list = byKind.get(kind);
    Map<String, String> labels = meta.getLabels() == null ? Map.of() : meta.getLabels();
    if (list != null && namespace.equals(meta.getNamespace())
        && wantedLabels.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
      list.add(meta);
    }
  }

  private static void contains(String what, Map<String, String> actual, JsonNode wanted, List<String> diffs) {
    Map<String, String> got = actual == null ? Map.of() : actual;
    for (Map.Entry<String, JsonNode> e : wanted.properties()) {
      if (!e.getValue().asString().equals(got.get(e.getKey()))) {
        diffs.add(what + " lack " + e.getKey() + "=" + e.getValue().asString() + " (have " + got + ")");
      }
    }
  }

  /** {@code a=b,c=d} (an equality-based label selector). */
  private static Map<String, String> pairs(String selector) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : selector.split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        out.put(part.substring(0, eq).trim(), part.substring(eq + 1).replaceFirst("^=", "").trim());
      }
    }
    return out;
  }
}
