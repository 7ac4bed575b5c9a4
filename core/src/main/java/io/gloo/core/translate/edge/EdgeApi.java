package io.gloo.core.translate.edge;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gloo.core.store.ResourceKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Names of the Gloo Edge API ({@code gateway.solo.io/v1} Gateway, VirtualService, RouteTable and
 * {@code gloo.solo.io/v1} UpstreamGroup) and the small readers the Edge translator shares: the objects are read as
 * generic resources, their specs as JSON trees.
 */
final class EdgeApi {

  static final String GATEWAY_GROUP = "gateway.solo.io";
  static final String GLOO_GROUP = "gloo.solo.io";
  static final String KIND_GATEWAY = ResourceKey.EDGE_GATEWAY_KIND;
  static final String KIND_VIRTUAL_SERVICE = "VirtualService";
  static final String KIND_ROUTE_TABLE = "RouteTable";
  static final String KIND_UPSTREAM_GROUP = "UpstreamGroup";
  static final String KIND_UPSTREAM = "Upstream";
  /** The key kind of the translation's output for one Edge proxy (Gloo's {@code Proxy} resource). */
  static final String KIND_PROXY = "Proxy";
  /** A Gateway without {@code proxyNames} belongs to this proxy, as in Gloo. */
  static final String DEFAULT_PROXY = "gateway-proxy";
  /** Where Gloo's install puts its default Gateways, and so their proxies. */
  static final String DEFAULT_NAMESPACE = "gloo-system";

  private static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private EdgeApi() {}

  /** Whether {@code r} is an object of the Edge API kind {@code kind} (key kind, see {@link ResourceKey#of}). */
  static boolean is(HasMetadata r, String group, String kind) {
    if (!(r instanceof GenericKubernetesResource) || r.getApiVersion() == null
        || !r.getApiVersion().startsWith(group + "/")) {
      return false;
    }
    return ResourceKey.of(r).kind().equals(kind);
  }

  /** The objects of one Edge kind in the snapshot's generic resources, in key order. */
  static List<GenericKubernetesResource> list(List<GenericKubernetesResource> all, String group, String kind) {
    List<GenericKubernetesResource> out = new ArrayList<>();
    for (GenericKubernetesResource r : all) {
      if (is(r, group, kind)) {
        out.add(r);
      }
    }
    return out;
  }

  /** The Edge objects of the snapshot's generic resources (in key order), by kind, in one pass. */
  static EdgeRun.Inputs inputs(List<GenericKubernetesResource> all) {
    List<GenericKubernetesResource> gateways = new ArrayList<>();
    List<GenericKubernetesResource> virtualServices = new ArrayList<>();
    List<GenericKubernetesResource> routeTables = new ArrayList<>();
    List<GenericKubernetesResource> upstreamGroups = new ArrayList<>();
    for (GenericKubernetesResource r : all) {
      String api = r.getApiVersion();
      String kind = r.getKind();
      if (api == null || kind == null) {
        continue;
      }
      if (api.startsWith(GATEWAY_GROUP + "/")) {
        if (kind.equals("Gateway") || kind.equals(KIND_GATEWAY)) {
          gateways.add(r);
        } else if (kind.equals(KIND_VIRTUAL_SERVICE)) {
          virtualServices.add(r);
        } else if (kind.equals(KIND_ROUTE_TABLE)) {
          routeTables.add(r);
        }
      } else if (api.startsWith(GLOO_GROUP + "/") && kind.equals(KIND_UPSTREAM_GROUP)) {
        upstreamGroups.add(r);
      }
    }
    return new EdgeRun.Inputs(gateways, virtualServices, routeTables, upstreamGroups);
  }

  static JsonNode spec(GenericKubernetesResource r) {
    Object spec = r.getAdditionalProperties().get("spec");
    return spec == null ? MAPPER.createObjectNode() : MAPPER.valueToTree(spec);
  }

  static long generation(HasMetadata r) {
    Long g = r.getMetadata().getGeneration();
    return g == null ? 0 : g;
  }

  /** A string field, or null when absent or null. */
  static String str(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v == null || v.isNull() || v.isMissingNode() ? null : v.asString();
  }

  static boolean present(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v != null && !v.isNull() && !v.isMissingNode();
  }

  /** A {@code {name, namespace}} resource reference; namespace defaults to {@code defaultNamespace}. */
  static ResourceKey ref(String kind, JsonNode node, String defaultNamespace) {
    String name = str(node, "name");
    if (name == null || name.isEmpty()) {
      return null;
    }
    String ns = str(node, "namespace");
    return new ResourceKey(kind, ns == null || ns.isEmpty() ? defaultNamespace : ns, name);
  }

  /** Gloo's spelling of a resource in messages: {@code namespace.name}. */
  static String gloo(ResourceKey key) {
    return key.namespace() + "." + key.name();
  }

  static Map<String, String> labels(HasMetadata r) {
    Map<String, String> labels = r.getMetadata().getLabels();
    return labels == null ? Map.of() : labels;
  }

  static ObjectMapper mapper() {
    return MAPPER;
  }
}
