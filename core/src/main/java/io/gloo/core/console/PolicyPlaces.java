package io.gloo.core.console;

import io.gloo.core.server.GlooServer;
import io.gloo.core.translate.TranslationJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Which policies apply where, read back from the policies' own statuses ({@code details.attachedTo} and
 * {@code details.lostFields} of Gloo's namespaced status, which the translator fills for every place a policy
 * reached, e.g. {@code HTTPRoute default/web rule 0}). Built once per page render; not thread-safe.
 */
final class PolicyPlaces {

  /** A policy resource and its status entry. */
  record Policy(String key, JsonNode status, JsonNode details) {

    String state() {
      return entry().path("state").asString("");
    }

    String reason() {
      return entry().path("reason").asString("");
    }

    private JsonNode entry() {
      for (Map.Entry<String, JsonNode> e : status.path("statuses").properties()) {
        return e.getValue();
      }
      return status;
    }

    /** The field's loss at {@code place}: "WINNER" when it lost there, else null. */
    String lostAt(String field, String place) {
      JsonNode lost = details.path("lostFields").path(field);
      if (lost.isMissingNode()) {
        return null;
      }
      for (String part : lost.asString("").split("; ")) {
        int at = part.lastIndexOf(" at ");
        if (at > 0 && part.substring(at + 4).equals(place)) {
          return part.substring(0, at);
        }
      }
      return null;
    }
  }

  private final Map<String, Policy> policies = new LinkedHashMap<>();

  private PolicyPlaces() {}

  static PolicyPlaces of(GlooServer server) {
    PolicyPlaces places = new PolicyPlaces();
    ObjectNode statuses = TranslationJson.statuses(server.reporter().statuses());
    for (Map.Entry<String, JsonNode> e : statuses.properties()) {
      for (Map.Entry<String, JsonNode> ns : e.getValue().path("statuses").properties()) {
        if (ns.getValue().has("details")) {
          places.policies.put(e.getKey(), new Policy(e.getKey(), e.getValue(), ns.getValue().path("details")));
        }
      }
    }
    return places;
  }

  List<Policy> all() {
    return List.copyOf(policies.values());
  }

  /** The policies attached at {@code place}, as "Kind/ns/name". */
  List<String> at(String place) {
    List<String> result = new ArrayList<>();
    for (Policy p : policies.values()) {
      if (attached(p, place)) {
        result.add(p.key());
      }
    }
    return result;
  }

  List<Policy> policiesAt(String place) {
    return policies.values().stream().filter(p -> attached(p, place)).toList();
  }

  private static boolean attached(Policy p, String place) {
    for (JsonNode where : p.details().path("attachedTo")) {
      if (where.asString("").equals(place)) {
        return true;
      }
    }
    return false;
  }
}
