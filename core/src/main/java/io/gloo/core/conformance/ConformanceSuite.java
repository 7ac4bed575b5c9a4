package io.gloo.core.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Gateway API conformance suite as transcribed under {@code shared/conformance/gateway-api}: the upstream
 * manifests (with their placeholders) and the expectation files listed in {@code expectations/INDEX.json}.
 */
public final class ConformanceSuite {

  /** The GatewayClass the suite runs against, and its controller. */
  public static final String GATEWAY_CLASS_NAME = "gloo-gateway";
  public static final String CONTROLLER_NAME = "solo.io/gloo-gateway";
  /** Address pools the suite is configured with (--usable-network-addresses / --unusable-network-addresses). */
  public static final String USABLE_ADDRESS = "192.0.2.100";
  public static final String UNUSABLE_ADDRESS = "198.51.100.200";

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  /** One transcribed test. */
  public record TestSpec(String shortName, List<String> features, boolean provisional, JsonNode json) {
    public List<String> manifests() {
      List<String> m = new ArrayList<>();
      json.path("manifests").forEach(n -> m.add(n.asString()));
      return m;
    }
  }

  private final Path dir;
  private final JsonNode index;
  private final List<TestSpec> tests;

  private ConformanceSuite(Path dir, JsonNode index, List<TestSpec> tests) {
    this.dir = dir;
    this.index = index;
    this.tests = List.copyOf(tests);
  }

  /** Reads INDEX.json and every expectation file it lists. */
  public static ConformanceSuite load(Path dir) {
    JsonNode index = readJson(dir.resolve("expectations/INDEX.json"));
    List<TestSpec> tests = new ArrayList<>();
    for (JsonNode t : index.path("tests")) {
      JsonNode json = readJson(dir.resolve(t.path("file").asString()));
      List<String> features = new ArrayList<>();
      t.path("features").forEach(f -> features.add(f.asString()));
      tests.add(new TestSpec(t.path("shortName").asString(), List.copyOf(features),
          t.path("provisional").asBoolean(false), json));
    }
    return new ConformanceSuite(dir, index, tests);
  }

  /**
   * The suite directory when none is given: {@code -Dgloo.shared.dir}, {@code /work/shared}, or a {@code shared}
   * directory next to the repository (or one of its parents), each with {@code conformance/gateway-api} inside.
   */
  public static Optional<Path> defaultDir() {
    List<Path> candidates = new ArrayList<>();
    String property = System.getProperty("gloo.shared.dir");
    if (property != null) {
      candidates.add(Paths.get(property));
    }
    candidates.add(Paths.get("/work/shared"));
    for (Path d = Paths.get("").toAbsolutePath(); d != null && d.getParent() != null; d = d.getParent()) {
      candidates.add(d.resolveSibling("shared"));
    }
    for (Path shared : candidates) {
      Path suite = shared.resolve("conformance/gateway-api");
      if (Files.isRegularFile(suite.resolve("expectations/INDEX.json"))) {
        return Optional.of(suite);
      }
    }
    return Optional.empty();
  }

  /**
   * The L4 suite (TLSRoute, TCPRoute, UDPRoute tests transcribed in this repository): {@code conformance/gateway-api-l4}
   * of the working directory or one of its parents.
   */
  public static Optional<Path> l4Dir() {
    for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path suite = d.resolve("conformance/gateway-api-l4");
      if (Files.isRegularFile(suite.resolve("expectations/INDEX.json"))) {
        return Optional.of(suite);
      }
    }
    return Optional.empty();
  }

  public Path dir() {
    return dir;
  }

  public JsonNode index() {
    return index;
  }

  public List<TestSpec> tests() {
    return tests;
  }

  /** The Gateway API tag the suite was copied from (e.g. v1.6.1). */
  public String gatewayApiVersion() {
    return index.path("source").path("tag").asString("unknown");
  }

  /** A manifest file of the suite (path relative to the suite directory), placeholders not yet filled. */
  public String manifest(String relative) {
    try {
      return Files.readString(dir.resolve(relative));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir.resolve(relative), e);
    }
  }

  /** Replaces the suite's text placeholders as the upstream suite does when it applies manifests. */
  public static String fillPlaceholders(String manifest) {
    return manifest.replace("{GATEWAY_CLASS_NAME}", GATEWAY_CLASS_NAME)
        .replace("{GATEWAY_CONTROLLER_NAME}", CONTROLLER_NAME)
        .replace("{CONTROLLER_NAME}", CONTROLLER_NAME);
  }

  private static JsonNode readJson(Path file) {
    try {
      return JSON.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
