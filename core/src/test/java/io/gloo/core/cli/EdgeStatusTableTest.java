package io.gloo.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code gloo status} prints Gloo-shaped statuses (Edge resources) as state and reason; a Rejected one is a problem. */
class EdgeStatusTableTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static String print(String report, boolean[] problem) {
    StringWriter text = new StringWriter();
    JsonNode node = JSON.readTree(report);
    problem[0] = StatusCommand.StatusTable.print(node, new PrintWriter(text, true));
    return text.toString();
  }

  @Test
  void rejectedVirtualServiceIsAProblemWithItsReason() {
    boolean[] problem = new boolean[1];
    String out = print("{\"statuses\":{\"VirtualService/default/a\":{\"statuses\":{\"gloo-system\":"
        + "{\"state\":\"Rejected\",\"reason\":\"invalid route: route must specify an action\"}}}}}", problem);
    assertEquals("VirtualService/default/a  Rejected\n      invalid route: route must specify an action\n", out);
    assertTrue(problem[0]);
  }

  @Test
  void warningIsPrintedButNotAProblem() {
    boolean[] problem = new boolean[1];
    String out = print("{\"statuses\":{\"RouteTable/apis/t\":{\"statuses\":{\"gloo-system\":"
        + "{\"state\":\"Warning\",\"reason\":\"route tables [a, b] have the same weight 0\"}}}}}", problem);
    assertTrue(out.startsWith("RouteTable/apis/t  Warning"), out);
    assertFalse(problem[0]);
  }
}
