package io.gloo.core.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelProtoAbstractSyntaxTree;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The build-time forms (issue #21) say what the sources say: the compact CRDs give the catalog the YAML gives, but for
 * the description texts; every shipped CEL rule has a checked AST, equal to compiling it now.
 */
class CompactCrdsTest {

  @Test
  void theCompactFormOnTheClasspathIsTheYamlWithoutDescriptions() {
    List<JsonNode> compact = CompactCrds.read();
    assertNotNull(compact, "the build writes " + CompactCrds.RESOURCE + " (exec-maven-plugin, process-classes)");
    assertEquals(CompactCrds.fromYaml().valueStream().toList(), compact, "stale: rebuild core");
    CrdCatalog fromCompact = CrdCatalog.fromCompact(compact);
    CrdCatalog fromYaml = CrdCatalog.fromYaml();
    assertEquals(fromYaml.all().size(), fromCompact.all().size());
    for (Crd crd : fromYaml.all()) {
      Crd other = fromCompact.find(crd.group(), crd.kind()).orElseThrow();
      assertEquals(crd.origin(), other.origin());
      assertEquals(crd.namespaced(), other.namespaced());
      assertEquals(crd.servedVersions(), other.servedVersions());
      assertEquals(crd.storageVersion(), other.storageVersion());
      for (Crd.Version version : crd.versions()) {
        JsonNode schema = version.openApiV3Schema().deepCopy();
        CompactCrds.stripDescriptions(schema);
        Crd.Version compactVersion = other.versions().stream().filter(v -> v.name().equals(version.name()))
            .findFirst().orElseThrow();
        assertEquals(schema, compactVersion.openApiV3Schema(), crd.kind() + " " + version.name());
        // what admission compiles from a schema does not read descriptions
        assertEquals(OpenApiSchemas.toJsonSchema(version.openApiV3Schema()),
            OpenApiSchemas.toJsonSchema(compactVersion.openApiV3Schema()));
      }
    }
    assertTrue(fromYaml.all().toString().contains("description"), "the YAML has descriptions to strip");
  }

  @Test
  void aPropertyNamedDescriptionIsKept() {
    JsonNode schema = tools.jackson.databind.json.JsonMapper.builder().build().readTree(
        "{\"description\":\"text\",\"properties\":{\"description\":{\"type\":\"string\",\"description\":\"t\"}}}");
    CompactCrds.stripDescriptions(schema);
    assertEquals("{\"properties\":{\"description\":{\"type\":\"string\"}}}", schema.toString());
  }

  @Test
  void everyShippedRuleHasACheckedAstEqualToCompilingItNow() {
    Set<String> rules = new TreeSet<>();
    for (Crd crd : CrdCatalog.standard().all()) {
      for (Crd.Version version : crd.versions()) {
        rules.addAll(new CelRules(version.openApiV3Schema()).ruleSources());
      }
    }
    assertFalse(rules.isEmpty());
    for (String rule : rules) {
      Optional<CelAbstractSyntaxTree> precompiled = PrecompiledCel.find(rule);
      assertTrue(precompiled.isPresent(), "no checked AST for " + rule + ": rebuild core");
      assertEquals(CelProtoAbstractSyntaxTree.fromCelAst(KubernetesCel.check(rule)).toCheckedExpr(),
          CelProtoAbstractSyntaxTree.fromCelAst(precompiled.get()).toCheckedExpr(), rule);
    }
    assertTrue(PrecompiledCel.find("self.size() > 1 && self.size() < 7").isEmpty(), "not a shipped rule");
  }
}
