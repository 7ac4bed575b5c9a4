package io.gloo.core.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A route-check test file read with the line of every node, so that what is wrong in it is reported as
 * {@code FILE:LINE: tests[2] (name).input: ...} rather than as an exception. Immutable.
 */
final class RouteCheckFile {

  /** {@code tests[3]}, an optional {@code (name)}, then {@code .field.field} as the suite's messages say where. */
  private static final Pattern WHERE = Pattern.compile("^tests\\[(\\d+)](?: \\([^)]*\\))?((?:\\.[A-Za-z_]+)*)");

  private static final YAMLMapper YAML = YAMLMapper.builder().build();

  private final Path file;
  private final JsonNode root;
  /** JSON pointer ({@code /tests/0/input}) → 1-based line where that node starts. */
  private final Map<String, Integer> lines;

  private RouteCheckFile(Path file, JsonNode root, Map<String, Integer> lines) {
    this.file = file;
    this.root = root;
    this.lines = lines;
  }

  /** Reads the file; a file that cannot be read or parsed is an {@link IllegalArgumentException} of one line. */
  static RouteCheckFile read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read test file " + CliErrors.describe(e), e);
    }
    Map<String, Integer> lines = new HashMap<>();
    try (JsonParser parser = YAML.createParser(text)) {
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        if (token != JsonToken.PROPERTY_NAME && token != JsonToken.END_OBJECT && token != JsonToken.END_ARRAY) {
          lines.putIfAbsent(parser.streamReadContext().pathAsPointer().toString(),
              parser.currentTokenLocation().getLineNr());
        }
      }
      return new RouteCheckFile(file, YAML.readTree(text), Map.copyOf(lines));
    } catch (JacksonException e) {
      throw new IllegalArgumentException(syntaxError(file, e), e);
    }
  }

  JsonNode root() {
    return root;
  }

  /** {@code message} (which may start with where in the file, {@code tests[N]...}) prefixed with FILE:LINE. */
  String locate(String message) {
    Matcher m = WHERE.matcher(message);
    int line = 0;
    if (m.find()) {
      String pointer = "/tests/" + m.group(1) + m.group(2).replace('.', '/');
      for (; !pointer.isEmpty() && line == 0; pointer = pointer.substring(0, pointer.lastIndexOf('/'))) {
        line = lines.getOrDefault(pointer, 0);
      }
    }
    return file + (line > 0 ? ":" + line : "") + ": " + CliErrors.oneLine(message);
  }

  /** The YAML scanner's own mark when there is one (Jackson's location can be lines later), and its problem only. */
  private static String syntaxError(Path file, JacksonException e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof MarkedYamlEngineException yaml) {
        Optional<Mark> mark = yaml.getProblemMark().or(yaml::getContextMark);
        return file + mark.map(k -> ":" + (k.getLine() + 1) + ":" + (k.getColumn() + 1)).orElse("")
            + ": invalid YAML: " + yaml.getProblem() + (yaml.getContext() == null ? "" : " (" + yaml.getContext() + ")");
      }
    }
    TokenStreamLocation at = e.getLocation();
    return file + (at == null || at.getLineNr() < 1 ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr())
        + ": invalid YAML: " + CliErrors.oneLine(e.getOriginalMessage());
  }
}
