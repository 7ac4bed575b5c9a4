package io.gloo.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.cli.GlooCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code gloo plugins --rbac} on the enterprise plugin archives prints rules for each of their kinds, and exactly
 * the rules the install manifest grants those kinds: what a third-party plugin's author applies for theirs.
 */
class PluginRbacCommandTest {

  private static final YAMLMapper YAML = YAMLMapper.builder().build();
  private static final Path INSTALL = Path.of("../dist/src/install/gloo-gateway.yaml");

  @Test
  void theEnterprisePluginsNeedWhatTheInstallGrantsTheirKinds() throws Exception {
    Path plugins = Path.of(System.getProperty("gloo.it.plugins", "target/plugins-enterprise"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = GlooCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute("plugins", "--rbac", "--plugins-dir", plugins.toString(),
        "--plugin-config", "ratelimit.port=0", "--plugin-config",
        "ratelimit.configStreamPort=" + EnterprisePlugins.freePort(),
        "--plugin-config", "extauth.port=0", "--plugin-config",
        "extauth.configStreamPort=" + EnterprisePlugins.freePort());
    assertEquals(0, exit, err.toString());

    List<JsonNode> printed = docs(out.toString());
    assertEquals(List.of("ClusterRole", "ClusterRoleBinding"),
        printed.stream().map(d -> d.path("kind").asString()).toList());
    Set<String> rules = rules(printed.get(0));
    assertTrue(rules.containsAll(Set.of(
        "gateway.solo.io routeoptions get", "gateway.solo.io virtualhostoptions/status patch",
        "gloo.solo.io upstreams watch", "ratelimit.solo.io ratelimitconfigs list",
        "enterprise.gloo.solo.io authconfigs/status update")), rules.toString());

    Set<String> granted = new TreeSet<>();
    for (JsonNode doc : docs(Files.readString(INSTALL))) {
      if ("ClusterRole".equals(doc.path("kind").asString(""))
          && "gloo-gateway".equals(doc.path("metadata").path("name").asString(""))) {
        granted.addAll(rules(doc));
      }
    }
    Set<String> missing = new TreeSet<>(rules);
    missing.removeAll(granted);
    assertEquals(Set.of(), missing, "printed rules the install's ClusterRole gloo-gateway does not grant");
    assertEquals("gloo-gateway", printed.get(1).path("subjects").get(0).path("name").asString());
  }

  private static List<JsonNode> docs(String yaml) throws Exception {
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      return it.readAll().stream().filter(d -> d != null && d.isObject()).toList();
    }
  }

  /** Each rule as {@code GROUP RESOURCE VERB} triples. */
  private static Set<String> rules(JsonNode clusterRole) {
    Set<String> out = new TreeSet<>();
    for (JsonNode rule : clusterRole.path("rules")) {
      for (JsonNode group : rule.path("apiGroups")) {
        for (JsonNode resource : rule.path("resources")) {
          for (JsonNode verb : rule.path("verbs")) {
            out.add(group.asString() + " " + resource.asString() + " " + verb.asString());
          }
        }
      }
    }
    return out;
  }
}
