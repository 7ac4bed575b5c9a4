package io.gloo.testkit;

import com.google.protobuf.Message;
import io.gloo.core.translate.TranslationJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.opentest4j.AssertionFailedError;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Compares output with a checked-in file, as core's golden tests do: JSON with sorted keys, two-space indents. Run
 * the build with {@code -Dgolden.update=true} (e.g. {@code mvn test -Dgolden.update=true}) to write the files
 * instead, then review the diff. A missing file fails (naming the flag) rather than passing silently. Envoy
 * messages are rendered in Envoy's JSON mapping with sensitive fields redacted, like {@code gloo translate}.
 */
public final class GoldenFile {

  /** The system property that turns comparing into writing. */
  public static final String UPDATE_PROPERTY = "golden.update";

  private static final JsonMapper PRETTY = JsonMapper.builder()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .build();

  private GoldenFile() {}

  public static boolean updating() {
    return Boolean.parseBoolean(System.getProperty(UPDATE_PROPERTY, "false"));
  }

  /** An Envoy message (route, virtual host, cluster, filter ...) against {@code expected}. */
  public static void assertMatches(Path expected, Message actual) {
    assertMatches(expected, TranslationJson.message(actual));
  }

  public static void assertMatches(Path expected, JsonNode actual) {
    assertMatches(expected, PRETTY.writeValueAsString(PRETTY.treeToValue(actual, Object.class)) + "\n");
  }

  /** Text against {@code expected}, byte for byte (UTF-8). */
  public static void assertMatches(Path expected, String actual) {
    try {
      if (updating()) {
        if (expected.getParent() != null) {
          Files.createDirectories(expected.getParent());
        }
        Files.writeString(expected, actual, StandardCharsets.UTF_8);
        return;
      }
      if (!Files.exists(expected)) {
        throw new AssertionFailedError("missing golden file " + expected + "; write it with -D" + UPDATE_PROPERTY
            + "=true");
      }
      String wanted = Files.readString(expected, StandardCharsets.UTF_8);
      if (!wanted.equals(actual)) {
        throw new AssertionFailedError("golden file " + expected + " differs (regenerate with -D" + UPDATE_PROPERTY
            + "=true)", wanted, actual);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
