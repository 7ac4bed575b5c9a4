package io.gloo.core.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.store.SourceProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a config directory may make the control plane read: no file over the size cap, nothing a symbolic link
 * points at outside the directory. Both are reported with the file's name and, like any unreadable file, leave its
 * last good resources serving.
 */
class ManifestBoundsTest {

  private static final long CAP = 1024;

  @TempDir
  Path root;

  private final ManifestParser parser = new ManifestParser();

  private static String configMap(String name, String padding) {
    return """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: %s, namespace: default}
        data: {value: "%s"}
        ---
        """.formatted(name, padding);
  }

  private ManifestScanner scanner(Path dir) {
    return new ManifestScanner(parser, false, Duration.ZERO, CAP);
  }

  private static List<String> names(ResourceSnapshot snapshot) {
    return snapshot.list(ConfigMap.class).stream().map(c -> c.getMetadata().getName()).sorted().toList();
  }

  private static List<String> problems(ResourceSnapshot snapshot) {
    return snapshot.problems().stream().map(SourceProblem::toString).toList();
  }

  @Test
  void aFileOverTheCapIsReportedByNameAndNotRead() throws IOException {
    Path dir = Files.createDirectories(root.resolve("config"));
    Files.writeString(dir.resolve("small.yaml"), configMap("small", "x"));
    Path big = Files.writeString(dir.resolve("big.yaml"), configMap("big", "y".repeat((int) CAP)));
    ResourceSnapshot snapshot = DirectorySource.load(List.of(dir), parser, CAP);
    assertEquals(List.of("small"), names(snapshot), "the other file is served, the big one not");
    assertEquals(List.of(big + ": cannot be read (it is " + Files.size(big) + " bytes, over the 1024-byte limit per"
        + " manifest file of --max-manifest-bytes)"), problems(snapshot));
    // the default cap (16 MiB) reads it
    assertEquals(List.of("big", "small"), names(DirectorySource.load(List.of(dir), parser)));
  }

  @Test
  void aFileThatGrowsOverTheCapKeepsServingItsLastGoodResources() throws IOException {
    Path dir = Files.createDirectories(root.resolve("config"));
    Path file = Files.writeString(dir.resolve("a.yaml"), configMap("a", "1"));
    ManifestScanner scanner = scanner(dir);
    scanner.rescan(ManifestFiles.list(List.of(dir)));
    assertEquals(List.of("a"), names(scanner.snapshot()));

    Files.writeString(file, configMap("a", "2") + configMap("b", "z".repeat((int) CAP)));
    assertTrue(scanner.rescan(ManifestFiles.list(List.of(dir))), "the problem is news");
    assertEquals(List.of("a"), names(scanner.snapshot()), "b is not read");
    assertEquals("1", scanner.snapshot().list(ConfigMap.class).get(0).getData().get("value"),
        "the last good version of a keeps serving");
    String problem = problems(scanner.snapshot()).get(0);
    assertTrue(problem.startsWith(file + ": cannot be read (it is "), problem);
    assertTrue(problem.endsWith("bytes, over the 1024-byte limit per manifest file of --max-manifest-bytes): serving"
        + " the 1 resources last read from it until it can be read or is removed"), problem);
    assertTrue(scanner.heldFiles().containsKey(file));

    Files.writeString(file, configMap("a", "3"));
    scanner.rescan(ManifestFiles.list(List.of(dir)));
    assertEquals("3", scanner.snapshot().list(ConfigMap.class).get(0).getData().get("value"), "back under the cap");
    assertEquals(List.of(), problems(scanner.snapshot()));
  }

  @Test
  void aWatchedDirectoryReportsAFileOverItsCap() throws Exception {
    Path dir = Files.createDirectories(root.resolve("config"));
    Path big = Files.writeString(dir.resolve("big.yaml"), configMap("big", "y".repeat((int) CAP)));
    Files.writeString(dir.resolve("small.yaml"), configMap("small", "x"));
    try (DirectorySource source = new DirectorySource(dir, DirectorySource.DEFAULT_DEBOUNCE, parser, CAP)) {
      source.start(snapshot -> { });
      assertEquals(List.of("small"), names(source.current()));
      assertTrue(problems(source.current()).get(0).startsWith(big + ": cannot be read (it is "),
          problems(source.current()).toString());
    }
  }

  @Test
  void aLinkToAFileOutsideTheDirectoryIsReportedAndNotRead() throws IOException {
    Path dir = Files.createDirectories(root.resolve("config"));
    Path outside = Files.writeString(root.resolve("secret.yaml"), configMap("outside", "stolen"));
    Path link = Files.createSymbolicLink(dir.resolve("link.yaml"), outside);
    Files.writeString(dir.resolve("own.yaml"), configMap("own", "x"));
    ResourceSnapshot snapshot = DirectorySource.load(List.of(dir), parser);
    assertEquals(List.of("own"), names(snapshot));
    assertEquals(List.of(link + ": cannot be read (it is a symbolic link to " + outside.toRealPath()
        + ", outside the config directory " + dir.toRealPath() + ": not followed): ignored"), problems(snapshot));
  }

  @Test
  void aLinkToADirectoryOutsideIsNotWalked() throws IOException {
    Path dir = Files.createDirectories(root.resolve("config"));
    Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));
    Files.writeString(elsewhere.resolve("x.yaml"), configMap("outside", "stolen"));
    Path link = Files.createSymbolicLink(dir.resolve("sub"), elsewhere);
    ResourceSnapshot snapshot = DirectorySource.load(List.of(dir), parser);
    assertEquals(List.of(), names(snapshot));
    assertEquals(1, snapshot.problems().size(), problems(snapshot).toString());
    assertTrue(problems(snapshot).get(0).startsWith(link + ": cannot be read (it is a symbolic link to "
        + elsewhere.toRealPath() + ", outside the config directory"), problems(snapshot).toString());
  }

  @Test
  void linksInsideTheDirectoryAreFollowedAsConfigMapMountsNeed() throws IOException {
    // a ConfigMap volume: config/app.yaml -> ..data/app.yaml, ..data -> ..2026_12_07 (both hidden)
    Path dir = Files.createDirectories(root.resolve("config"));
    Path version = Files.createDirectories(dir.resolve("..2026_12_07"));
    Files.writeString(version.resolve("app.yaml"), configMap("mounted", "x"));
    Files.createSymbolicLink(dir.resolve("..data"), version.getFileName());
    Files.createSymbolicLink(dir.resolve("app.yaml"), Path.of("..data/app.yaml"));
    Path sub = Files.createDirectories(dir.resolve("real"));
    Files.writeString(sub.resolve("b.yaml"), configMap("viaLinkedDir", "x"));
    Files.createSymbolicLink(dir.resolve("alias"), sub);
    ResourceSnapshot snapshot = DirectorySource.load(List.of(dir), parser);
    assertEquals(List.of("mounted", "viaLinkedDir"), names(snapshot));
    assertFalse(problems(snapshot).stream().anyMatch(p -> p.contains("outside")), problems(snapshot).toString());
  }

  @Test
  void aServedFileReplacedByALinkOutsideKeepsServingItsLastGoodResources() throws IOException {
    Path dir = Files.createDirectories(root.resolve("config"));
    Path file = Files.writeString(dir.resolve("a.yaml"), configMap("a", "1"));
    ManifestScanner scanner = scanner(dir);
    scanner.rescan(ManifestFiles.list(List.of(dir)));
    Path outside = Files.writeString(root.resolve("other.yaml"), configMap("other", "stolen"));
    Files.delete(file);
    Files.createSymbolicLink(file, outside);
    scanner.rescan(ManifestFiles.list(List.of(dir)));
    assertEquals(List.of("a"), names(scanner.snapshot()), "the last good a serves; other is never read");
    assertTrue(problems(scanner.snapshot()).get(0).startsWith(file + ": cannot be read (it is a symbolic link to "),
        problems(scanner.snapshot()).toString());
  }
}
