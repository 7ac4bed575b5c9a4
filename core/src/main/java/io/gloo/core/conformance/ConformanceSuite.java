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

  /**
   * One transcribed test. {@code home} is the directory its manifests are looked up in before the suite's own (an
   * extra expectations directory may bring manifests the shared copy lacks); null for the suite directory.
   */
  public record TestSpec(String shortName, List<String> features, boolean provisional, JsonNode json, Path home) {
    public TestSpec(String shortName, List<String> features, boolean provisional, JsonNode json) {
      this(shortName, features, provisional, json, null);
    }

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
    return load(dir, List.of());
  }

  /**
   * Reads the suite's INDEX.json and every expectation file it lists, then every {@code expectations/*.json} of each
   * extra directory (tests transcribed in this repository, e.g. {@code conformance/}; their manifests are looked up
   * under that directory first, e.g. {@code conformance/tests/x.yaml}, then in the suite). A test the suite already
   * has is not loaded twice: the suite's own transcription wins.
   */
  public static ConformanceSuite load(Path dir, List<Path> extraDirs) {
    JsonNode index = readJson(dir.resolve("expectations/INDEX.json"));
    List<TestSpec> tests = new ArrayList<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    for (JsonNode t : index.path("tests")) {
      JsonNode json = readJson(dir.resolve(t.path("file").asString()));
      tests.add(new TestSpec(t.path("shortName").asString(), features(t), t.path("provisional").asBoolean(false),
          json, null));
      names.add(t.path("shortName").asString());
    }
    for (Path extra : extraDirs) {
      Path expectations = extra.resolve("expectations");
      if (!Files.isDirectory(expectations)) {
        throw new UncheckedIOException(new IOException("no expectations directory in " + extra));
      }
      List<Path> files;
      try (java.util.stream.Stream<Path> s = Files.list(expectations)) {
        files = s.filter(p -> p.getFileName().toString().endsWith(".json"))
            .filter(p -> !p.getFileName().toString().equals("INDEX.json")).sorted().toList();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + expectations, e);
      }
      for (Path f : files) {
        JsonNode json = readJson(f);
        String name = json.path("shortName").asString("");
        if (name.isEmpty()) {
          throw new IllegalArgumentException(f + " has no shortName");
        }
        if (names.add(name)) {
          tests.add(new TestSpec(name, features(json), json.path("provisional").asBoolean(false), json, extra));
        }
      }
    }
    tests.sort(java.util.Comparator.comparing(TestSpec::shortName));
    return new ConformanceSuite(dir, index, tests);
  }

  private static List<String> features(JsonNode test) {
    List<String> features = new ArrayList<>();
    test.path("features").forEach(f -> features.add(f.asString()));
    return List.copyOf(features);
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

  /**
   * The ListenerSet tests transcribed in this repository: {@code conformance/gateway-api-listenerset} of the working
   * directory or one of its parents. Loaded beside the shared suite, whose base manifests and Secrets they use.
   */
  public static Optional<Path> listenerSetDir() {
    for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path suite = d.resolve("conformance/gateway-api-listenerset");
      if (Files.isDirectory(suite.resolve("expectations"))) {
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

  /**
   * The {@code conformance} directory of this repository (tests transcribed here), found from the working directory
   * or one of its parents, when it has an {@code expectations} directory.
   */
  public static Optional<Path> repositoryDir() {
    for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path c = d.resolve("conformance");
      if (Files.isDirectory(c.resolve("expectations")) && Files.isRegularFile(d.resolve("pom.xml"))) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /**
   * Every directory of tests transcribed in this repository, loaded beside the shared suite by default:
   * {@link #repositoryDir()} (HTTP, GRPC and Gateway tests), {@link #l4Dir()} (TLSRoute, TCPRoute, UDPRoute) and
   * {@link #listenerSetDir()} (ListenerSet).
   */
  public static List<Path> repositoryDirs() {
    List<Path> dirs = new ArrayList<>();
    repositoryDir().ifPresent(dirs::add);
    l4Dir().ifPresent(dirs::add);
    listenerSetDir().ifPresent(dirs::add);
    return dirs;
  }

  /** The Gateway API tag the suite was copied from (e.g. v1.6.1). */
  public String gatewayApiVersion() {
    return index.path("source").path("tag").asString("unknown");
  }

  /** A manifest of a test: under the test's own directory when it has it there, else the suite's. */
  public String manifest(TestSpec test, String relative) {
    if (test.home() != null && Files.isRegularFile(test.home().resolve(relative))) {
      try {
        return Files.readString(test.home().resolve(relative));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + test.home().resolve(relative), e);
      }
    }
    return manifest(relative);
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
