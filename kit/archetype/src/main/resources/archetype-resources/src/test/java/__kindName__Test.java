package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.gloo.testkit.PluginTestKit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The plugin on Gloo's test kit: found by ServiceLoader and started as gloo starts it, specs bound and validated
 * by Gloo's binder, the translator's output checked against Envoy's constraints.
 */
class ${kindName}Test {

  private final PluginTestKit kit = PluginTestKit.load("${artifactId}");
  private final ${kindName}Kind kind = kit.kind(${kindName}Kind.class);

  @AfterEach
  void stop() {
    kit.close();
  }

  @Test
  void theRouteSetsTheHeadersSorted() {
    Route route = kit.route(kind, kit.accepted(kind, "options: {set: {x-b: '2', x-a: 50%}}")).output();

    assertEquals(List.of("x-a", "x-b"), route.getRequestHeadersToAddList().stream()
        .map(h -> h.getHeader().getKey()).toList());
    assertEquals("50%%", route.getRequestHeadersToAdd(0).getHeader().getValue());
  }

  @Test
  void badSpecsAreRejectedByField() {
    assertEquals(List.of("spec.options.set: set at least one header"), kit.rejected(kind, "options: {}"));
    assertEquals(List.of("spec.options.sett: unknown field"),
        kit.rejected(kind, "options: {set: {x-a: '1'}, sett: {x-b: '2'}}"));
    List<String> status = kit.rejected(kind, "options: {set: [x-a]}");
    assertTrue(status.get(0).startsWith("spec.options.set: "), status.toString());
  }
}
