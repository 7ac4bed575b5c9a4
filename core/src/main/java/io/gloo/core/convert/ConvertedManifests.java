package io.gloo.core.convert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Reading manifests for {@code gloo convert} and writing its result: YAML with the notes as comments, or JSON. */
public final class ConvertedManifests {

  private static final YAMLMapper YAML = YAMLMapper.builder().build();

  private ConvertedManifests() {}

  /**
   * Every YAML document of the files ({@code .yaml}, {@code .yml}, {@code .json}; directories read recursively), in
   * path order.
   *
   * @throws IllegalArgumentException naming the file when one does not parse
   */
  public static List<JsonNode> read(List<Path> paths) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> walk = Files.walk(p)) {
          walk.filter(Files::isRegularFile).filter(f -> f.toString().matches(".*\\.(ya?ml|json)$")).sorted()
              .forEach(files::add);
        }
      } else {
        Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class); // NoSuchFileException names it
        files.add(p);
      }
    }
    List<JsonNode> docs = new ArrayList<>();
    for (Path f : files) {
      try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(Files.readString(f))) {
        while (it.hasNextValue()) {
          JsonNode d = it.nextValue();
          if (d != null && d.isObject() && d.has("kind")) {
            docs.add(d);
          } else if (d != null && !d.isNull() && !d.isEmpty()) {
            throw new IllegalArgumentException(f + ": a document is not a Kubernetes object (no kind)");
          }
        }
      } catch (JacksonException | UncheckedIOException e) {
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst()
            .orElse("");
        throw new IllegalArgumentException(f + ": not valid YAML: " + msg);
      }
    }
    return docs;
  }

  /** YAML documents, each preceded by its notes as {@code # gloo convert: ...} comments; the summary notes first. */
  public static String yaml(EdgeConversion.Result result) {
    StringBuilder b = new StringBuilder();
    for (String note : result.notes().of("summary")) {
      b.append("# gloo convert: ").append(note).append('\n');
    }
    for (EdgeConversion.Resource r : result.resources()) {
      String doc = YAML.writeValueAsString(r.object());
      if (!doc.startsWith("---")) {
        b.append("---\n");
      } else {
        b.append("---\n");
        doc = doc.substring(doc.indexOf('\n') + 1);
      }
      for (String note : r.comments()) {
        b.append("# gloo convert: ").append(note.replace('\n', ' ')).append('\n');
      }
      b.append(doc);
    }
    return b.toString();
  }

  /** A Kubernetes {@code List} of the resources (JSON has no comments: the notes go to stderr only). */
  public static ObjectNode list(EdgeConversion.Result result) {
    ObjectNode list = EdgeConversion.MAPPER.createObjectNode().put("apiVersion", "v1").put("kind", "List");
    ArrayNode items = list.putArray("items");
    result.resources().forEach(r -> items.add(r.object()));
    return list;
  }
}
