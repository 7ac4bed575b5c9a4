package io.gloo.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.cli.GlooCli;
import io.gloo.core.plugin.PluginManager;
import io.gloo.core.server.GlooServer;
import io.gloo.core.server.ServeOptions;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.testing.Manifests;
import io.gloo.core.testing.SharedDir;
import io.gloo.core.translate.TranslationJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/**
 * Offline = served: every golden and example scenario of the repository (core's golden cases, {@code examples/},
 * the plugins' golden cases) and of shared/gloo-examples is translated by {@code gloo translate} with the
 * enterprise plugins and served by a {@link GlooServer} with the same plugins and plugin options, and the xDS
 * resources of every Gateway must be the same. Both get the same plugin config, a fixed rate-limit
 * descriptor key (otherwise each process signs config selectors with a key of its own) and the services' ports.
 */
class OfflineEqualsServedTest {

  @TempDir
  static Path temp;

  /** A scenario: its name and its manifest files. */
  private record Scenario(String name, List<Path> files, boolean addGatewayClass) {}

  @TestFactory
  Stream<DynamicTest> translateGivesWhatServeServes() throws IOException {
    Path repo = Path.of("..").toAbsolutePath().normalize();
    List<Scenario> scenarios = new ArrayList<>();
    addEach(scenarios, "core golden ", repo.resolve("core/src/test/resources/golden"), false);
    scenarios.add(new Scenario("examples/quickstart", manifests(repo.resolve("examples/quickstart")), false));
    scenarios.add(new Scenario("examples/route-check", List.of(repo.resolve("examples/route-check/manifests.yaml")),
        false));
    try (Stream<Path> plugins = Files.list(repo.resolve("plugins"))) {
      for (Path plugin : plugins.sorted().toList()) {
        addEach(scenarios, plugin.getFileName() + " golden ", plugin.resolve("src/test/resources/golden"), false);
      }
    }
    SharedDir.find().map(shared -> shared.resolve("gloo-examples")).filter(Files::isDirectory).ifPresent(ex -> {
      try {
        addEach(scenarios, "gloo-examples golden ", ex.resolve("golden"), true);
        addEach(scenarios, "gloo-examples inputs ", ex.resolve("gateway2-inputs"), true);
        try (Stream<Path> files = Files.list(ex.resolve("gateway2-examples"))) {
          files.sorted().forEach(f -> scenarios.add(new Scenario("gloo-examples " + f.getFileName(), List.of(f), true)));
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    assertTrue(scenarios.size() > 30, "scenarios found: " + scenarios.size());
    Path key = temp.resolve("descriptor.key");
    Files.write(key, "offline-equals-served-key-0123456789".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Map<String, Map<String, String>> config = Map.of(
        "ratelimit", Map.of("port", EnterprisePlugins.freePort(), "configStreamPort", EnterprisePlugins.freePort(),
            "descriptorKeyFile", key.toString()),
        "extauth", Map.of("port", EnterprisePlugins.freePort(), "configStreamPort", EnterprisePlugins.freePort()));
    return scenarios.stream().map(s -> DynamicTest.dynamicTest(s.name(), () -> check(s, config)));
  }

  private static void check(Scenario scenario, Map<String, Map<String, String>> config) throws IOException {
    Path dir = Files.createTempDirectory(temp, "scenario");
    for (Path file : scenario.files()) {
      Files.copy(file, dir.resolve(file.getParent().getFileName() + "_" + file.getFileName()));
    }
    if (scenario.addGatewayClass()) {
      Files.writeString(dir.resolve("zz-gatewayclass.yaml"), Manifests.gatewayClass());
    }
    Map<String, JsonNode> offline = translate(dir, config);
    Map<String, JsonNode> served = serve(dir, config);
    assertEquals(offline.keySet(), served.keySet(), scenario.name() + ": Gateways with a snapshot");
    for (String gateway : offline.keySet()) {
      assertEquals(offline.get(gateway), served.get(gateway), scenario.name() + ": xDS of " + gateway);
    }
  }

  /** {@code gloo translate} in this process: xDS per Gateway, leaving out those serve would not publish. */
  private static Map<String, JsonNode> translate(Path dir, Map<String, Map<String, String>> config) {
    List<String> args = new ArrayList<>(List.of("translate", "-f", dir.toString(), "-o", "json", "--plugins-dir",
        plugins().toString()));
    config.forEach((id, values) -> values.forEach((k, v) -> args.addAll(List.of("--plugin-config",
        id + "." + k + "=" + v))));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = GlooCli.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    cli.execute(args.toArray(String[]::new));
    // a kind a shipped plugin serves is never unserved offline (kinds no plugin implements are, in both paths)
    assertTrue(!err.toString().contains("plugin of the enterprise distribution serves it"), err.toString());
    JsonNode root = TranslationJson.mapper().readTree(out.toString());
    Map<String, JsonNode> gateways = new TreeMap<>();
    root.path("gateways").properties().forEach(e -> {
      if (!err.toString().contains("Gateway/" + e.getKey() + ": snapshot would not be published")) {
        gateways.put(e.getKey(), e.getValue());
      }
    });
    return gateways;
  }

  private static Map<String, JsonNode> serve(Path dir, Map<String, Map<String, String>> config) throws IOException {
    PluginManager.Options plugins = new PluginManager.Options(plugins(), Set.of(), config, null, null);
    try (GlooServer server = GlooServer.start(new ServeOptions(dir, new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(50), plugins))) {
      assertTrue(server.pluginManager().problems().isEmpty(), server.pluginManager().problems().toString());
      Map<String, JsonNode> gateways = new TreeMap<>();
      for (Map.Entry<ResourceKey, PublishedSnapshot> e : server.publisher().current().entrySet()) {
        if (!e.getValue().removed()) {
          // named as `gloo translate -o json` names them: Gloo Edge proxies as Proxy/ns/name
          gateways.put(e.getKey().kind().equals("Proxy") ? e.getKey().toString() : e.getKey().namespacedName(),
              TranslationJson.mapper().readTree(TranslationJson.mapper().writeValueAsString(
                  TranslationJson.xds(e.getValue().resources()))));
        }
      }
      return gateways;
    }
  }

  private static Path plugins() {
    Path dir = Path.of(System.getProperty("gloo.it.plugins", "target/plugins-enterprise"));
    assertTrue(Files.isRegularFile(dir.resolve("gloo-plugin-ratelimit.zip")), "archives missing in " + dir);
    return dir;
  }

  /** One scenario per subdirectory of {@code root} (its manifests), if {@code root} exists. */
  private static void addEach(List<Scenario> scenarios, String prefix, Path root, boolean addGatewayClass)
      throws IOException {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
        List<Path> files = manifests(dir);
        if (!files.isEmpty()) {
          scenarios.add(new Scenario(prefix + dir.getFileName(), files, addGatewayClass));
        }
      }
    }
  }

  /** The manifests of a scenario directory (expected outputs and route-check test files left out). */
  private static List<Path> manifests(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).filter(f -> {
        String name = f.getFileName().toString();
        return (name.endsWith(".yaml") || name.endsWith(".yml")) && !name.startsWith("expected")
            && !name.startsWith("output") && !name.endsWith("-tests.yaml");
      }).sorted().toList();
    }
  }
}
