package io.gloo.core.admission;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.OutputStream;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The shipped CRDs in the compact form {@link CrdCatalog} reads at run time ({@value #RESOURCE}), and their CEL
 * rules checked ({@link PrecompiledCel}), written at build time (core's pom runs {@link #main} in process-classes): one JSON array of {@code {"origin": ..., "crd": ...}} in
 * catalog order, each CRD as its YAML says minus the {@code description} texts, which admission never reads. Parsing
 * the 1.3 MB of YAML took a good part of a quick-start {@code gloo translate} (issue #21); this is 0.2 MB of JSON.
 * The YAML copies stay the source (unmodified, see {@code gateway-api/NOTICE.md}); CrdCatalogTest checks that the
 * two give the same catalog.
 */
public final class CompactCrds {

  /** Classpath resource of the compact form. */
  static final String RESOURCE = "/io/gloo/core/admission/crds.json";

  private CompactCrds() {}

  /** Writes the compact form under {@code args[0]} (a classes directory), at {@value #RESOURCE}. */
  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0], RESOURCE.substring(1));
    Files.createDirectories(out.getParent());
    ArrayNode crds = fromYaml();
    Files.write(out, new JsonMapper().writeValueAsBytes(crds));
    Set<String> rules = new TreeSet<>();
    CrdCatalog catalog = CrdCatalog.fromCompact(crds.valueStream().toList());
    for (Crd crd : catalog.all()) {
      for (Crd.Version version : crd.versions()) {
        rules.addAll(new CelRules(version.openApiV3Schema()).ruleSources());
      }
    }
    try (OutputStream cel = Files.newOutputStream(Path.of(args[0], PrecompiledCel.RESOURCE.substring(1)))) {
      PrecompiledCel.write(rules, KubernetesCel::check, cel);
    }
  }

  /** The compact form, from the YAML copies on the classpath. */
  static ArrayNode fromYaml() {
    ObjectMapper yaml = new YAMLMapper();
    ArrayNode all = JsonNodeFactory.instance.arrayNode();
    for (CrdCatalog.Source source : CrdCatalog.SOURCES) {
      JsonNode crd = CrdCatalog.readYaml(yaml, source.resource());
      stripDescriptions(crd);
      ObjectNode entry = all.addObject();
      entry.put("origin", source.origin());
      entry.set("crd", crd);
    }
    return all;
  }

  /** Removes every {@code description} text, in place (a property named "description" is a schema, not text). */
  static void stripDescriptions(JsonNode node) {
    if (node instanceof ObjectNode object) {
      if (object.path("description").isString()) {
        object.remove("description");
      }
      for (JsonNode child : object.values()) {
        stripDescriptions(child);
      }
    } else if (node instanceof ArrayNode array) {
      for (JsonNode child : array) {
        stripDescriptions(child);
      }
    }
  }

  /** The compact form's entries (origin, CRD), or null when the resource is absent (running from sources). */
  static List<JsonNode> read() {
    try (var in = CompactCrds.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return null;
      }
      JsonNode all = new JsonMapper().readTree(in);
      return all.valueStream().toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
