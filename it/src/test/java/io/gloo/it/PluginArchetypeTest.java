package io.gloo.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.gloo.core.plugin.PluginManager;
import io.gloo.core.server.GlooServer;
import io.gloo.core.server.ServeOptions;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.testing.Manifests;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin authors' kit end to end, as an author outside this repository uses it: gloo-spi, gloo-core,
 * gloo-plugin-testkit, gloo-bom and gloo-plugin-archetype (as this build made them, with their flattened poms) are
 * installed into an empty temporary local repository; {@code mvn archetype:generate} makes a new plugin project in a
 * temporary directory, {@code mvn verify} builds and tests it (on the test kit) and generates its CRD, and its zip,
 * dropped into a running server's plugins directory, is hot-loaded and serves its kind. Maven runs offline, with
 * this build's local repository as a read-only tail ({@code maven.repo.local.tail}) for third-party artifacts the
 * reactor already resolved; nothing is installed into it. Anything of ours missing from the temporary repository
 * (e.g. a pom that still names gloo-parent) fails the build.
 */
class PluginArchetypeTest {

  private static final Path ROOT = Path.of("..");
  private static final String VERSION = System.getProperty("gloo.project.version", "0.1.0-SNAPSHOT");
  private static final Duration MAVEN_TIMEOUT = Duration.ofMinutes(5);
  private static final ResourceKey GATEWAY = new ResourceKey("Gateway", "default", "http");
  private static final String ROUTE_NAME = "httproute/default/web/0/0";

  @TempDir
  Path temp;

  @Test
  void aPluginFromTheArchetypeBuildsTestsAndHotLoadsWithTheInstalledKitAlone() throws Exception {
    Path repo = Files.createDirectories(temp.resolve("repo"));
    install(repo, "gloo-spi", ROOT.resolve("spi"), true);
    install(repo, "gloo-core", ROOT.resolve("core"), true);
    install(repo, "gloo-plugin-testkit", ROOT.resolve("kit/testkit"), true);
    install(repo, "gloo-plugin-archetype", ROOT.resolve("kit/archetype"), true);
    install(repo, "gloo-bom", ROOT.resolve("kit/bom"), false);

    Path work = Files.createDirectories(temp.resolve("work"));
    maven(work, repo, "org.apache.maven.plugins:maven-archetype-plugin:"
            + System.getProperty("gloo.maven.archetype.version", "3.3.1") + ":generate",
        "-DinteractiveMode=false", "-DarchetypeGroupId=io.gloo", "-DarchetypeArtifactId=gloo-plugin-archetype",
        "-DarchetypeVersion=" + VERSION, "-DgroupId=com.acme.gloo", "-DartifactId=team-header",
        "-Dversion=1.0.0", "-Dpackage=com.acme.gloo.teamheader", "-DkindGroup=policies.acme.com",
        "-DkindName=TeamHeaderPolicy");
    Path project = work.resolve("team-header");
    assertTrue(Files.isRegularFile(project.resolve("src/main/java/com/acme/gloo/teamheader/TeamHeaderPolicyKind.java")));
    assertTrue(Files.readString(project.resolve("pom.xml")).contains("<gloo.version>" + VERSION + "</gloo.version>"));

    maven(project, repo, "verify");
    String report = Files.readString(project.resolve(
        "target/surefire-reports/com.acme.gloo.teamheader.TeamHeaderPolicyTest.txt"));
    assertTrue(report.contains("Tests run: 2, Failures: 0, Errors: 0, Skipped: 0"), report);
    Path crd = project.resolve("target/crds/teamheaderpolicies.policies.acme.com-v1.yml");
    assertTrue(Files.readString(crd).contains("kind: \"TeamHeaderPolicy\""), crd + " is not the kind's CRD");
    Path zip = project.resolve("target/team-header-1.0.0-plugin.zip");
    assertTrue(Files.isRegularFile(zip), "no plugin archive " + zip);

    long started = System.nanoTime();
    hotLoad(zip, project.resolve("example.yaml"));
    System.out.printf("hot load: %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  /** Starts a server on manifests that use the kind, drops the zip into its plugins directory, awaits its effect. */
  private void hotLoad(Path zip, Path policy) throws Exception {
    Path config = Files.createDirectories(temp.resolve("config"));
    Manifests.write(config, "web.yaml", Manifests.docs(Manifests.gatewayClass(),
        Manifests.gateway("default", "http", 8080), Manifests.service("default", "web", 80),
        Manifests.httpRoute("default", "web", "http", null, "/web", "web:80")));
    Files.copy(policy, config.resolve("policy.yaml"));
    Path plugins = Files.createDirectories(temp.resolve("plugins"));
    ServeOptions options = new ServeOptions(config, new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(50),
        new PluginManager.Options(plugins, Set.of(), Map.of(), temp.resolve("plugin-work"), Duration.ofMillis(50)));
    LinkedBlockingQueue<PublishedSnapshot> published = new LinkedBlockingQueue<>();
    try (GlooServer server = GlooServer.start(options)) {
      var subscription = server.publisher().onPublished(published::add);
      assertTrue(route(server.publisher().current(GATEWAY).orElseThrow()).orElseThrow()
          .getRequestHeadersToAddList().isEmpty(), "no plugin yet: the policy's kind is not served");

      Path tmp = plugins.resolve(".team-header.zip.tmp");
      Files.copy(zip, tmp);
      Files.move(tmp, plugins.resolve("team-header.zip"), StandardCopyOption.ATOMIC_MOVE);

      Route route = awaitRoute(published);
      assertEquals("x-team", route.getRequestHeadersToAdd(0).getHeader().getKey());
      assertEquals("payments", route.getRequestHeadersToAdd(0).getHeader().getValue());
      assertTrue(server.plugins().get("team-header").orElseThrow().started());
      subscription.close();
    }
  }

  private static Route awaitRoute(LinkedBlockingQueue<PublishedSnapshot> published) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      PublishedSnapshot snapshot = published.poll(100, TimeUnit.MILLISECONDS);
      if (snapshot != null && snapshot.gateway().equals(GATEWAY) && !snapshot.removed()) {
        Optional<Route> route = route(snapshot);
        if (route.isPresent() && route.get().getRequestHeadersToAddCount() > 0) {
          return route.get();
        }
      }
    }
    throw new AssertionError("the hot-loaded plugin's header never reached a snapshot of " + GATEWAY);
  }

  private static Optional<Route> route(PublishedSnapshot snapshot) {
    return snapshot.resources().routes().stream().flatMap(r -> r.getVirtualHostsList().stream())
        .flatMap(v -> v.getRoutesList().stream()).filter(r -> r.getName().equals(ROUTE_NAME)).findFirst();
  }

  /**
   * Puts a module's artifact into {@code repo} as {@code mvn install} would: its flattened pom (which must name no
   * parent: authors do not have it) and its jar (made from target/classes when the build stopped before package).
   */
  private static void install(Path repo, String artifactId, Path module, boolean jar) throws IOException {
    Path pom = module.resolve("target/.flattened-pom.xml");
    assertTrue(Files.isRegularFile(pom), pom + " is missing: build the reactor first (mvn -pl it -am verify)");
    String content = Files.readString(pom);
    assertFalse(content.contains("<parent>"), artifactId + "'s installed pom names a parent");
    Path dir = Files.createDirectories(repo.resolve("io/gloo").resolve(artifactId).resolve(VERSION));
    Files.copy(pom, dir.resolve(artifactId + "-" + VERSION + ".pom"));
    if (jar) {
      Path built = module.resolve("target/" + artifactId + "-" + VERSION + ".jar");
      Path target = dir.resolve(artifactId + "-" + VERSION + ".jar");
      if (Files.isRegularFile(built)) {
        Files.copy(built, target);
      } else {
        jar(module.resolve("target/classes"), target);
      }
    }
  }

  private static void jar(Path classes, Path target) throws IOException {
    try (OutputStream out = Files.newOutputStream(target); JarOutputStream jar = new JarOutputStream(out);
        Stream<Path> files = Files.walk(classes)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
        jar.putNextEntry(new ZipEntry(classes.relativize(file).toString().replace('\\', '/')));
        Files.copy(file, jar);
        jar.closeEntry();
      }
    }
  }

  /** Runs the Maven that runs this build, offline, on the temporary repository with this build's as a tail. */
  private void maven(Path dir, Path repo, String... args) throws Exception {
    String home = System.getProperty("maven.home");
    assertTrue(home != null && Files.isDirectory(Path.of(home)), "maven.home is not set: run with Maven");
    List<String> command = new ArrayList<>(List.of(Path.of(home, "bin", "mvn").toString(), "-B", "-o",
        "--no-transfer-progress", "-Dmaven.repo.local=" + repo.toAbsolutePath(),
        "-Dmaven.repo.local.tail=" + Path.of(System.getProperty("gloo.maven.repo.local",
            System.getProperty("user.home") + "/.m2/repository")).toAbsolutePath()));
    command.addAll(List.of(args));
    Path log = temp.resolve("maven-" + args[args.length - 1].replaceAll("[^a-z]", "") + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().remove("MAVEN_ARGS");
    long started = System.nanoTime();
    Process process = builder.start();
    if (!process.waitFor(MAVEN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("mvn " + String.join(" ", args) + " did not finish within " + MAVEN_TIMEOUT);
    }
    System.out.printf("mvn %s: %d ms%n", args[0], TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    if (process.exitValue() != 0) {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      throw new AssertionError("mvn " + String.join(" ", args) + " failed (exit " + process.exitValue() + "):\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())));
    }
  }
}
