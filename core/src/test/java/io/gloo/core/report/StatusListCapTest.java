package io.gloo.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The status writer never sends a list the API server refuses: {@code PolicyStatus.Ancestors} (MaxItems 16) and
 * {@code RouteStatus.Parents} (MaxItems 32), shared with other controllers whose entries are kept.
 */
class StatusListCapTest {

  private static ObjectNode status(String field, String controller, int n, String prefix) {
    ObjectNode s = JsonNodeFactory.instance.objectNode();
    ArrayNode list = s.putArray(field);
    for (int i = 0; i < n; i++) {
      list.addObject().put("controllerName", controller).putObject("ancestorRef").put("name", prefix + i);
    }
    return s;
  }

  private static List<String> names(JsonNode status, String field) {
    List<String> out = new ArrayList<>();
    status.path(field).forEach(a -> out.add(a.path("controllerName").asString() + ":"
        + a.path("ancestorRef").path("name").asString()));
    return out;
  }

  @Test
  void ourAncestorsAreCutToFitBesideOtherControllers() {
    JsonNode merged = KubernetesStatusWriter.keepOtherControllersParents(
        status("ancestors", "solo.io/gloo-gateway", 15, "ours-"),
        status("ancestors", "example.com/other", 3, "theirs-"));
    List<String> names = names(merged, "ancestors");
    assertEquals(KubernetesStatusWriter.MAX_ANCESTORS, names.size());
    assertEquals("solo.io/gloo-gateway:ours-12", names.get(12)); // our first 13 kept, in order
    assertEquals(List.of("example.com/other:theirs-0", "example.com/other:theirs-1", "example.com/other:theirs-2"),
        names.subList(13, 16));
  }

  @Test
  void tooManyOfOurOwnAreCutWithoutOtherControllers() {
    JsonNode merged = KubernetesStatusWriter.keepOtherControllersParents(
        status("ancestors", "solo.io/gloo-gateway", 18, "ours-"), null);
    assertEquals(16, merged.path("ancestors").size());
    JsonNode parents = KubernetesStatusWriter.keepOtherControllersParents(
        status("parents", "solo.io/gloo-gateway", 40, "ours-"), JsonMapper.builder().build().createObjectNode());
    assertEquals(KubernetesStatusWriter.MAX_PARENTS, parents.path("parents").size());
  }

  @Test
  void shortListsAreUnchanged() {
    ObjectNode desired = status("ancestors", "solo.io/gloo-gateway", 2, "ours-");
    assertEquals(desired, KubernetesStatusWriter.keepOtherControllersParents(desired, null));
  }
}
