package io.gloo.core.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.store.SourceProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scanner updates its snapshot from the files that changed only; these tests hold it to the same answer as
 * reading every file afresh.
 */
class ManifestScannerTest {

  @TempDir
  Path dir;

  private final ManifestParser parser = new ManifestParser();

  private static String configMap(String name, String namespace, int value) {
    return """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: %s
          namespace: %s
        data:
          value: "%d"
        ---
        """.formatted(name, namespace, value);
  }

  private static String secret(String name, int value) {
    return """
        apiVersion: v1
        kind: Secret
        metadata:
          name: %s
          namespace: default
        stringData:
          value: "%d"
        ---
        """.formatted(name, value);
  }

  private boolean rescan(ManifestScanner scanner) {
    return scanner.rescan(ManifestFiles.list(List.of(dir)));
  }

  /** What a snapshot serves, independent of the versions the scanner fills in: key → data value, per type order. */
  private static Map<String, List<String>> served(ResourceSnapshot snapshot) {
    Map<String, List<String>> byType = new TreeMap<>();
    for (Class<? extends HasMetadata> type : List.of(ConfigMap.class, Secret.class)) {
      byType.put(type.getSimpleName(), snapshot.list(type).stream().map(r -> ResourceKey.of(r) + "=" + value(r))
          .toList());
    }
    byType.put("all", snapshot.all().stream().map(r -> ResourceKey.of(r).toString()).sorted().toList());
    return byType;
  }

  private static String value(HasMetadata resource) {
    return resource instanceof ConfigMap c ? c.getData().get("value")
        : ((Secret) resource).getStringData().get("value");
  }

  private static List<String> problems(ResourceSnapshot snapshot) {
    return snapshot.problems().stream().map(SourceProblem::toString).sorted().toList();
  }

  @Test
  void randomEditsGiveTheSameSnapshotAsAFreshRead() throws IOException {
    Random random = new Random(20261127);
    ManifestScanner scanner = new ManifestScanner(parser, false);
    rescan(scanner);
    List<Path> paths = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      paths.add(dir.resolve((i % 2 == 0 ? "" : "sub/") + "f" + i + ".yaml"));
    }
    Files.createDirectories(dir.resolve("sub"));
    int changes = 0;
    for (int step = 0; step < 400; step++) {
      Path file = paths.get(random.nextInt(paths.size()));
      if (random.nextInt(5) == 0) {
        Files.deleteIfExists(file);
      } else {
        // a small pool of names, so that files often define the same object (the later path wins)
        StringBuilder content = new StringBuilder();
        int documents = random.nextInt(4);
        for (int d = 0; d < documents; d++) {
          String name = "o" + random.nextInt(8);
          content.append(random.nextInt(4) == 0 ? secret(name, random.nextInt(3))
              : configMap(name, "ns" + random.nextInt(2), random.nextInt(3)));
        }
        Files.writeString(file, content);
      }
      ResourceSnapshot before = scanner.snapshot();
      boolean changed = rescan(scanner);
      ResourceSnapshot fresh = DirectorySource.load(List.of(dir), parser);
      assertEquals(served(fresh), served(scanner.snapshot()), "resources after step " + step);
      assertEquals(problems(fresh), problems(scanner.snapshot()), "problems after step " + step);
      assertEquals(changed, scanner.snapshot() != before, "rescan() answers whether the snapshot changed");
      assertEquals(!served(before).equals(served(fresh)) || !problems(before).equals(problems(fresh)), changed,
          "a new snapshot exactly when what is served or reported changed, step " + step);
      changes += changed ? 1 : 0;
    }
    assertTrue(changes > 100, "the random edits changed the snapshot often: " + changes);
  }

  @Test
  void theLastFileInPathOrderWinsAndTheOthersAreToldSo() throws IOException {
    ManifestScanner scanner = new ManifestScanner(parser, false);
    Files.writeString(dir.resolve("a.yaml"), configMap("shared", "default", 1));
    Files.writeString(dir.resolve("b.yaml"), configMap("shared", "default", 2));
    Files.writeString(dir.resolve("c.yaml"), configMap("other", "default", 3));
    assertTrue(rescan(scanner));
    assertEquals(List.of("ConfigMap/default/other=3", "ConfigMap/default/shared=2"),
        served(scanner.snapshot()).get("ConfigMap"));
    List<SourceProblem> problems = scanner.snapshot().problems();
    assertEquals(1, problems.size(), problems.toString());
    assertEquals(dir.resolve("a.yaml").toString(), problems.get(0).source());
    assertTrue(problems.get(0).message().contains("also defined in " + dir.resolve("b.yaml")), problems.toString());

    Files.delete(dir.resolve("b.yaml"));
    assertTrue(rescan(scanner));
    assertEquals(List.of("ConfigMap/default/other=3", "ConfigMap/default/shared=1"),
        served(scanner.snapshot()).get("ConfigMap"));
    assertEquals(List.of(), scanner.snapshot().problems());
  }

  @Test
  void anUnchangedObjectInAChangedFileIsServedAsTheSameInstance() throws IOException {
    ManifestScanner scanner = new ManifestScanner(parser, false);
    Path file = dir.resolve("both.yaml");
    Files.writeString(file, configMap("stays", "default", 1) + configMap("moves", "default", 1));
    rescan(scanner);
    HasMetadata stays = scanner.snapshot().get(ConfigMap.class, "default", "stays").orElseThrow();
    HasMetadata moves = scanner.snapshot().get(ConfigMap.class, "default", "moves").orElseThrow();

    Files.writeString(file, configMap("stays", "default", 1) + configMap("moves", "default", 2) + "# edited\n");
    assertTrue(rescan(scanner));
    assertSame(stays, scanner.snapshot().get(ConfigMap.class, "default", "stays").orElseThrow());
    HasMetadata moved = scanner.snapshot().get(ConfigMap.class, "default", "moves").orElseThrow();
    assertEquals(2L, moved.getMetadata().getGeneration());
    assertEquals(1L, moves.getMetadata().getGeneration());

    Files.writeString(file, configMap("stays", "default", 1) + configMap("moves", "default", 2) + "# again\n");
    assertFalse(rescan(scanner), "a comment-only edit changes nothing");
  }

  @Test
  void withChangesEqualsIndexingTheResultAfresh() throws IOException {
    Files.writeString(dir.resolve("a.yaml"), configMap("b", "ns", 1) + configMap("d", "ns", 1)
        + secret("s", 1));
    ResourceSnapshot base = DirectorySource.load(List.of(dir), parser);
    ConfigMap a = (ConfigMap) parser.parse("x", configMap("a", "ns", 2).getBytes()).resources().get(0);
    ConfigMap c = (ConfigMap) parser.parse("x", configMap("c", "ns", 2).getBytes()).resources().get(0);
    ConfigMap e = (ConfigMap) parser.parse("x", configMap("e", "ns", 2).getBytes()).resources().get(0);
    ConfigMap d = (ConfigMap) parser.parse("x", configMap("d", "ns", 9).getBytes()).resources().get(0);
    Map<ResourceKey, HasMetadata> changes = new java.util.HashMap<>();
    changes.put(ResourceKey.of(a), a);
    changes.put(ResourceKey.of(c), c);
    changes.put(ResourceKey.of(e), e);
    changes.put(ResourceKey.of(d), d);
    changes.put(new ResourceKey("ConfigMap", "ns", "b"), null);
    changes.put(new ResourceKey("Secret", "default", "s"), null);
    ResourceSnapshot changed = base.withChanges(changes, List.of());

    List<HasMetadata> expected = new ArrayList<>(List.of(a, c, d, e));
    ResourceSnapshot fresh = ResourceSnapshot.of(expected, List.of());
    assertEquals(fresh.list(ConfigMap.class), changed.list(ConfigMap.class));
    assertEquals(List.of("ConfigMap/ns/a=2", "ConfigMap/ns/c=2", "ConfigMap/ns/d=9", "ConfigMap/ns/e=2"),
        served(changed).get("ConfigMap"));
    assertEquals(List.of(), changed.list(Secret.class));
    assertEquals(4, changed.size());
    assertEquals(3, base.size(), "the base snapshot is not changed");
    assertEquals(expected.stream().map(ResourceKey::of).sorted().toList(),
        changed.all().stream().map(ResourceKey::of).sorted().collect(Collectors.toList()));
  }

  @Test
  void manyChangesAtOnceAreIndexedLikeAFreshSnapshot() throws IOException {
    StringBuilder first = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      first.append(configMap("m" + i, "ns" + (i % 3), 1));
    }
    Files.writeString(dir.resolve("a.yaml"), first);
    ResourceSnapshot base = DirectorySource.load(List.of(dir), parser);
    Map<ResourceKey, HasMetadata> changes = new java.util.HashMap<>();
    for (int i = 0; i < 200; i += 2) { // every other name: replaces m0, m2 ... m48 and adds m50 ... m198
      ConfigMap m = (ConfigMap) parser.parse("x", configMap("m" + i, "ns" + (i % 3), 2).getBytes()).resources()
          .get(0);
      changes.put(ResourceKey.of(m), m);
    }
    changes.put(new ResourceKey("ConfigMap", "ns1", "m1"), null);
    ResourceSnapshot changed = base.withChanges(changes, List.of());

    List<HasMetadata> expected = new ArrayList<>();
    base.all().stream().filter(r -> !changes.containsKey(ResourceKey.of(r))).forEach(expected::add);
    changes.values().stream().filter(java.util.Objects::nonNull).forEach(expected::add);
    assertEquals(ResourceSnapshot.of(expected, List.of()).list(ConfigMap.class), changed.list(ConfigMap.class));
    assertEquals(50 + 75 - 1, changed.size());
  }
}
