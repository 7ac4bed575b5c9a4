package io.gloo.core.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.store.SourceProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectorySourceTest {

  @TempDir
  Path dir;

  private final BlockingQueue<ResourceSnapshot> snapshots = new LinkedBlockingQueue<>();
  private DirectorySource source;

  @AfterEach
  void close() {
    if (source != null) {
      source.close();
    }
  }

  private static String configMap(String name, String value) {
    return """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: %s
        data:
          key: "%s"
        """.formatted(name, value);
  }

  /** Files written in place here are read once unchanged for this long (the default is longer; see below). */
  static final Duration SETTLE = Duration.ofMillis(200);

  private ResourceSnapshot start() {
    source = new DirectorySource(dir, DirectorySource.DEFAULT_DEBOUNCE, SETTLE, new ManifestParser());
    source.start(snapshots::add);
    return next();
  }

  /**
   * The next snapshot in which no file is held while being written (files here are written in place, so each
   * change is first published as held, with a problem saying so); one must come within 3 s.
   */
  private ResourceSnapshot next() {
    ResourceSnapshot snapshot = nextAny();
    while (snapshot.problems().stream().anyMatch(p -> p.message().startsWith("is being written"))) {
      snapshot = nextAny();
    }
    return snapshot;
  }

  private ResourceSnapshot nextAny() {
    try {
      ResourceSnapshot snapshot = snapshots.poll(3, TimeUnit.SECONDS);
      assertNotNull(snapshot, "no snapshot within 3 s");
      return snapshot;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static String value(ResourceSnapshot snapshot, String name) {
    return snapshot.get(ConfigMap.class, "default", name).map(cm -> cm.getData().get("key")).orElse(null);
  }

  private static long generation(ResourceSnapshot snapshot, String name) {
    return snapshot.get(ConfigMap.class, "default", name).orElseThrow().getMetadata().getGeneration();
  }

  @Test
  void initialLoadIsDeliveredBeforeStartReturns() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), configMap("a", "1"));
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("sub/b.yml"), configMap("b", "1"));
    Files.writeString(dir.resolve(".hidden.yaml"), configMap("hidden", "1"));
    Files.writeString(dir.resolve("a.yaml~"), configMap("backup", "1"));
    Files.writeString(dir.resolve("notes.txt"), "not a manifest");

    source = new DirectorySource(dir);
    source.start(snapshots::add);

    ResourceSnapshot first = snapshots.poll();
    assertNotNull(first, "delivered synchronously");
    assertEquals(2, first.size());
    assertEquals(List.of(), first.problems());
    assertSame(first, source.current());
    assertEquals(1L, generation(first, "a"));
    assertNotNull(first.get(ConfigMap.class, "default", "a").orElseThrow().getMetadata().getResourceVersion());
    assertTrue(source.describe().contains("(2 files, 2 resources)"), source.describe());
  }

  @Test
  void addChangeAndDeleteEachProduceASnapshot() throws Exception {
    start();

    Files.writeString(dir.resolve("a.yaml"), configMap("a", "1"));
    assertEquals("1", value(next(), "a"));

    Files.writeString(dir.resolve("a.yaml"), configMap("a", "2"));
    assertEquals("2", value(next(), "a"));

    Files.delete(dir.resolve("a.yaml"));
    assertEquals(0, next().size());
  }

  @Test
  void burstOfWritesIsCoalesced() throws Exception {
    start();
    for (int i = 0; i < 20; i++) {
      Files.writeString(dir.resolve("f" + i + ".yaml"), configMap("cm" + i, "v"));
    }
    // Everything arrives within a few snapshots (normally one), not one per write.
    int seen = 0;
    ResourceSnapshot snapshot;
    do {
      snapshot = next();
      seen++;
    } while (snapshot.size() < 20);
    assertTrue(seen <= 3, seen + " snapshots for one burst");
  }

  @Test
  void malformedFileKeepsLastGoodResourcesUntilFixed() throws Exception {
    Path file = dir.resolve("routes.yaml");
    Files.writeString(file, configMap("a", "1") + "---\n" + configMap("b", "1"));
    assertEquals(2, start().size());

    Files.writeString(file, configMap("a", "1") + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [b\n");
    ResourceSnapshot broken = next();
    assertEquals(2, broken.size(), "last good resources are still served");
    assertEquals("1", value(broken, "b"));
    assertEquals(1, broken.problems().size());
    SourceProblem problem = broken.problems().get(0);
    assertEquals(file.toString(), problem.source());
    assertTrue(problem.line() >= 10, problem.toString());

    Files.writeString(file, configMap("a", "1") + "---\n" + configMap("b", "2"));
    ResourceSnapshot fixed = next();
    assertEquals(List.of(), fixed.problems());
    assertEquals("2", value(fixed, "b"));
  }

  @Test
  void fileThatNeverParsedServesItsGoodDocuments() throws Exception {
    Files.writeString(dir.resolve("x.yaml"), configMap("good", "1") + "---\napiVersion: v1\nkind: ConfigMap\n");
    ResourceSnapshot first = start();

    assertEquals(1, first.size());
    assertEquals(1, first.problems().size());
  }

  @Test
  void generationIncrementsOnChangeButNotOnIdenticalRewrite() throws Exception {
    Path a = dir.resolve("a.yaml");
    Files.writeString(a, configMap("a", "1"));
    assertEquals(1L, generation(start(), "a"));

    Files.writeString(a, configMap("a", "2"));
    assertEquals(2L, generation(next(), "a"));

    // An identical rewrite (plus a comment) is not a change; a change elsewhere proves the rescan happened.
    Files.writeString(a, "# same object\n" + configMap("a", "2"));
    Files.writeString(dir.resolve("b.yaml"), configMap("b", "1"));
    ResourceSnapshot later = next();
    while (later.size() < 2) {
      later = next();
    }
    assertEquals(2L, generation(later, "a"));

    Files.writeString(a, configMap("a", "3"));
    assertEquals(3L, generation(next(), "a"));
  }

  @Test
  void newSubdirectoryIsWatched() throws Exception {
    start();
    Path sub = Files.createDirectories(dir.resolve("team/routes"));
    Files.writeString(sub.resolve("a.yaml"), configMap("a", "1"));
    ResourceSnapshot snapshot = next();
    while (snapshot.size() < 1) {
      snapshot = next();
    }
    assertEquals("1", value(snapshot, "a"));

    Files.writeString(sub.resolve("a.yaml"), configMap("a", "2"));
    assertEquals("2", value(next(), "a"));
  }

  @Test
  void listenerExceptionsDoNotStopWatching() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    source = new DirectorySource(dir, Duration.ofMillis(50));
    source.start(snapshot -> {
      if (calls.incrementAndGet() == 2) {
        throw new IllegalStateException("listener bug");
      }
      snapshots.add(snapshot);
    });
    next();

    Files.writeString(dir.resolve("a.yaml"), configMap("a", "1")); // the listener throws on this one
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (calls.get() < 2 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(2, calls.get());

    Files.writeString(dir.resolve("a.yaml"), configMap("a", "2"));
    assertEquals("2", value(next(), "a"));
  }

  @Test
  void loadReadsFilesAndDirectoriesOnceAndReportsMissingPaths() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), configMap("a", "1"));
    Path other = Files.createDirectories(dir.resolve("other"));
    Path single = Files.writeString(other.resolve("single.manifest"), configMap("single", "1"));

    ResourceSnapshot snapshot = DirectorySource.load(List.of(dir.resolve("a.yaml"), single, dir.resolve("missing")));

    assertEquals(2, snapshot.size());
    assertEquals(1L, generation(snapshot, "a"));
    assertEquals(1, snapshot.problems().size());
    assertTrue(snapshot.problems().get(0).source().endsWith("missing"));
  }
}
