package io.gloo.core.translate;

import com.google.protobuf.Message;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.xds.EnvoyJson;
import io.gloo.core.translate.xds.SensitiveFields;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Renders translation output as one JSON tree: per Gateway its listeners, route configurations, clusters and
 * endpoints in Envoy's JSON mapping, and the status of every input resource. Used by {@code gloo translate}, the
 * admin API and the golden-file tests, so all three show the same thing.
 */
public final class TranslationJson {

  private static final ObjectMapper MAPPER = JsonMapper.builder().build();
  private static final KubernetesSerialization KUBE = new KubernetesSerialization();

  private TranslationJson() {}

  public static ObjectNode render(TranslationResult result) {
    ObjectNode root = MAPPER.createObjectNode();
    ObjectNode gateways = root.putObject("gateways");
    // Gloo Edge proxies as Proxy/ns/name: they may share a namespace and name with a Gateway
    result.gateways().forEach((key, xds) -> gateways.set(key.kind().equals("Proxy") ? key.toString()
        : key.namespacedName(), xds(xds)));
    root.set("statuses", statuses(result.statuses().statuses()));
    return root;
  }

  public static ObjectNode xds(XdsResources xds) {
    ObjectNode node = MAPPER.createObjectNode();
    node.set("listeners", messages(xds.listeners()));
    node.set("routes", messages(xds.routes()));
    node.set("clusters", messages(xds.clusters()));
    node.set("endpoints", messages(xds.endpoints()));
    if (!xds.secrets().isEmpty()) {
      // secret material never leaves the process: names only
      ArrayNode names = node.putArray("secrets");
      xds.secrets().forEach(s -> names.add(s.getName()));
    }
    return node;
  }

  public static ObjectNode statuses(Map<ResourceKey, Object> statuses) {
    ObjectNode node = MAPPER.createObjectNode();
    statuses.forEach((key, status) -> node.set(key.toString(), KUBE.convertValue(status, JsonNode.class)));
    return node;
  }

  /** A resource in Envoy's JSON mapping, with the fields Envoy marks sensitive (keys, passwords) redacted. */
  public static JsonNode message(Message message) {
    return MAPPER.readTree(EnvoyJson.print(SensitiveFields.redact(message)));
  }

  private static ArrayNode messages(List<? extends Message> messages) {
    ArrayNode array = MAPPER.createArrayNode();
    for (Message m : messages) {
      array.add(message(m));
    }
    return array;
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }
}
