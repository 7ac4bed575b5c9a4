package io.gloo.core.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.store.SourceProblem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing a watched directory served disappears without a word, with real files: a file written in place in two
 * steps is never served half-written, a file moved in is served at once, a file that cannot be read (replaced by a
 * dangling symbolic link, a FIFO, a directory; chmod 000 when not root) and a directory that vanished keep serving
 * their last good resources with a problem that names them.
 */
class DirectorySourceHoldTest {

  @TempDir
  Path root;

  /** The watched directory; {@link #root} holds it and the files staged beside it (same file system). */
  Path dir;

  private final BlockingQueue<ResourceSnapshot> snapshots = new LinkedBlockingQueue<>();
  private DirectorySource source;

  @BeforeEach
  void createDir() throws IOException {
    dir = Files.createDirectory(root.resolve("config"));
  }

  @AfterEach
  void close() {
    if (source != null) {
      source.close();
    }
  }

  private static String configMap(String name, String... keyValues) {
    StringBuilder sb = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n");
    for (int i = 0; i < keyValues.length; i += 2) {
      sb.append("  ").append(keyValues[i]).append(": \"").append(keyValues[i + 1]).append("\"\n");
    }
    return sb.toString();
  }

  private void start(Duration debounce) {
    start(debounce, WriteSettling.DEFAULT_SETTLE);
  }

  private void start(Duration debounce, Duration settle) {
    source = new DirectorySource(dir, debounce, settle, new ManifestParser());
    source.start(snapshots::add);
    assertNotNull(snapshots.poll());
  }

  /** Every snapshot published until one matches (at most {@code seconds} s); the matching one is last. */
  private List<ResourceSnapshot> until(Predicate<ResourceSnapshot> done, int seconds) throws InterruptedException {
    List<ResourceSnapshot> seen = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      ResourceSnapshot s = snapshots.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      assertNotNull(s, "no matching snapshot within " + seconds + " s; saw " + seen.size() + ": "
          + seen.stream().map(DirectorySourceHoldTest::data).toList());
      seen.add(s);
      if (done.test(s)) {
        return seen;
      }
    }
  }

  /** name → data of every ConfigMap served. */
  private static Map<String, Map<String, String>> data(ResourceSnapshot snapshot) {
    Map<String, Map<String, String>> data = new java.util.TreeMap<>();
    snapshot.list(ConfigMap.class).forEach(cm -> data.put(cm.getMetadata().getName(), cm.getData()));
    return data;
  }

  private static boolean hasProblem(ResourceSnapshot snapshot, Path file, String text) {
    return snapshot.problems().stream().anyMatch(p -> p.source().equals(file.toString()) && p.message().contains(text));
  }

  /** Writes {@code content} beside the directory and moves it in over {@code target}: the way to apply at once. */
  private void moveIn(Path target, String content) throws IOException {
    Path staging = root.resolve("staging.tmp");
    Files.writeString(staging, content);
    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void writeInPlace(FileChannel channel, String text) throws IOException {
    channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    channel.force(true);
  }

  @Test
  void aFileRewrittenInPlaceInTwoStepsIsNeverServedHalfWritten() throws Exception {
    Path file = dir.resolve("routes.yaml");
    Files.writeString(file, configMap("a", "v", "1") + "---\n" + configMap("b", "v", "1"));
    // A settle time well above the 300 ms pause below, so that a busy machine oversleeping the pause cannot make the
    // writer look finished (with the default 1 s it would take a 700 ms oversleep).
    start(DirectorySource.DEFAULT_DEBOUNCE, Duration.ofSeconds(3));

    // The new version, cut at the document boundary (the first part parses: a ConfigMap "a" alone) and, for a
    // second file created meanwhile, at a line boundary (the first part parses: "c" with one key of two).
    Path created = dir.resolve("more.yaml");
    try (FileChannel rewrite = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        FileChannel create = FileChannel.open(created, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
      writeInPlace(rewrite, configMap("a", "v", "2") + "---\n");
      writeInPlace(create, configMap("c", "first", "1"));
      Thread.sleep(300);
      writeInPlace(rewrite, configMap("b", "v", "2"));
      writeInPlace(create, "  second: \"2\"\n");
    }

    Map<String, Map<String, String>> complete = Map.of("a", Map.of("v", "2"), "b", Map.of("v", "2"),
        "c", Map.of("first", "1", "second", "2"));
    List<ResourceSnapshot> seen = until(s -> data(s).equals(complete), 15);

    Map<String, Map<String, String>> before = Map.of("a", Map.of("v", "1"), "b", Map.of("v", "1"));
    for (ResourceSnapshot s : seen) {
      assertTrue(data(s).equals(before) || data(s).equals(complete), "a half-written state was published: " + data(s));
    }
    // While held, it was said: a problem naming each file, gone once the whole file is served.
    assertTrue(seen.stream().anyMatch(s -> hasProblem(s, file, "is being written: serving the 2 resources last read")),
        seen.stream().map(ResourceSnapshot::problems).toList().toString());
    assertTrue(seen.stream().anyMatch(s -> hasProblem(s, created, "is being written: not read")));
    assertEquals(List.of(), seen.get(seen.size() - 1).problems());
  }

  @Test
  void aFileMovedInIsServedAtOnceWithoutAHold() throws Exception {
    Path file = dir.resolve("routes.yaml");
    Files.writeString(file, configMap("a", "v", "1"));
    start(DirectorySource.DEFAULT_DEBOUNCE);

    moveIn(file, configMap("a", "v", "2"));
    moveIn(dir.resolve("new.yaml"), configMap("n", "v", "1"));

    List<ResourceSnapshot> seen = until(s -> data(s).equals(Map.of("a", Map.of("v", "2"), "n", Map.of("v", "1"))), 5);
    for (ResourceSnapshot s : seen) {
      assertEquals(List.of(), s.problems(), "a file moved in is whole: no hold");
    }
  }

  @Test
  void aFileReplacedByADanglingSymbolicLinkKeepsServingUntilAFileIsBack() throws Exception {
    Path file = dir.resolve("routes.yaml");
    Files.writeString(file, configMap("a", "v", "1") + "---\n" + configMap("b", "v", "1"));
    start(DirectorySource.DEFAULT_DEBOUNCE);

    Path link = root.resolve("link.tmp");
    Files.createSymbolicLink(link, root.resolve("nowhere"));
    Files.move(link, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

    ResourceSnapshot held = until(s -> !s.problems().isEmpty(), 5).get(0);
    assertEquals(Map.of("a", Map.of("v", "1"), "b", Map.of("v", "1")), data(held), "last good resources still served");
    assertEquals(1, held.problems().size(), held.problems().toString());
    SourceProblem problem = held.problems().get(0);
    assertEquals(file.toString(), problem.source());
    assertEquals("cannot be read (it is a dangling symbolic link, not a file): serving the 2 resources last read from"
        + " it until it can be read or is removed", problem.message());
    assertTrue(source.describe().contains("degraded: 1 file serves what it last read: " + problem), source.describe());
    assertNull(source.notReadyReason(), "one unreadable file degrades, it does not make the source not ready");

    moveIn(file, configMap("a", "v", "2"));
    ResourceSnapshot back = until(s -> s.problems().isEmpty(), 5).get(0);
    assertEquals(Map.of("a", Map.of("v", "2")), data(back), "read again, and what it no longer defines goes");
    assertFalse(source.describe().contains("degraded"), source.describe());
  }

  @Test
  void aFileReplacedByAFifoIsNeverOpenedAndKeepsServing() throws Exception {
    Path file = dir.resolve("routes.yaml");
    Files.writeString(file, configMap("a", "v", "1"));
    start(DirectorySource.DEFAULT_DEBOUNCE);

    Path fifo = root.resolve("fifo.tmp");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
    Assumptions.assumeTrue(mkfifo.waitFor() == 0, "needs mkfifo");
    Files.move(fifo, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

    ResourceSnapshot held = until(s -> !s.problems().isEmpty(), 5).get(0);
    assertEquals(Map.of("a", Map.of("v", "1")), data(held));
    assertTrue(hasProblem(held, file, "cannot be read (it is a FIFO (named pipe), not a file): serving the 1 resources"),
        held.problems().toString());

    // A FIFO that was never a manifest we read is reported, not served, and never blocks the watcher.
    Path other = root.resolve("fifo2.tmp");
    assertEquals(0, new ProcessBuilder("mkfifo", other.toString()).start().waitFor());
    Files.move(other, dir.resolve("pipe.yaml"), StandardCopyOption.ATOMIC_MOVE);
    ResourceSnapshot both = until(s -> s.problems().size() == 2, 5).get(0);
    assertTrue(hasProblem(both, dir.resolve("pipe.yaml"), "cannot be read (it is a FIFO (named pipe), not a file): ignored"),
        both.problems().toString());
  }

  @Test
  void aFileReplacedByADirectoryKeepsServingItsLastGoodResources() throws Exception {
    Path file = dir.resolve("routes.yaml");
    Files.writeString(file, configMap("a", "v", "1"));
    start(Duration.ofSeconds(1)); // the delete and the mkdir below must fall in one burst

    Files.delete(file);
    Files.createDirectory(file);

    ResourceSnapshot held = until(s -> !s.problems().isEmpty(), 10).get(0);
    assertEquals(Map.of("a", Map.of("v", "1")), data(held));
    assertTrue(hasProblem(held, file, "cannot be read (it is now a directory, not a file): serving the 1 resources"),
        held.problems().toString());

    Files.delete(file); // removing it is how its resources are withdrawn
    ResourceSnapshot removed = until(s -> s.problems().isEmpty(), 10).get(0);
    assertEquals(Map.of(), data(removed));
  }

  /**
   * chmod 000 stops reads only when not root (root reads anyway): as root this test is skipped, and the other
   * unreadable cases above stand in for it. The read fails with "permission denied" and the file holds.
   */
  @Test
  void aFileWithoutReadPermissionKeepsServingWhenNotRoot() throws Exception {
    Assumptions.assumeFalse("root".equals(System.getProperty("user.name")) || isRoot(), "root reads a chmod 000 file");
    Path file = dir.resolve("routes.yaml");
    Files.writeString(file, configMap("a", "v", "1"));
    start(DirectorySource.DEFAULT_DEBOUNCE);

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
    ResourceSnapshot held = until(s -> !s.problems().isEmpty(), 5).get(0);
    assertEquals(Map.of("a", Map.of("v", "1")), data(held));
    assertTrue(hasProblem(held, file, "cannot be read (permission denied): serving the 1 resources"),
        held.problems().toString());

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    ResourceSnapshot back = until(s -> s.problems().isEmpty(), 5).get(0);
    assertEquals(Map.of("a", Map.of("v", "1")), data(back));
  }

  private static boolean isRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  @Test
  void aDirectoryThatVanishesKeepsServingAndIsNotReadyUntilItIsBack() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), configMap("a", "v", "1"));
    Files.writeString(dir.resolve("b.yaml"), configMap("b", "v", "1"));
    start(Duration.ofSeconds(1)); // the files and then the directory are deleted in one burst, as rm -rf does

    deleteRecursively(dir);
    ResourceSnapshot gone = until(s -> !s.problems().isEmpty(), 5).get(0);
    assertEquals(Map.of("a", Map.of("v", "1"), "b", Map.of("v", "1")), data(gone),
        "a vanished directory is not an empty one");
    assertEquals(List.of(new SourceProblem(dir.toString(), 0, 0, "the config directory does not exist: serving the"
        + " resources last read from it until it is back")), gone.problems());
    assertEquals("config directory " + dir + " is gone; serving what was last read from it until it is back",
        source.notReadyReason());

    // Recreated (here: built beside and moved into place) with other content: found by the periodic rescan.
    Path staged = Files.createDirectory(root.resolve("staged"));
    Files.writeString(staged.resolve("a.yaml"), configMap("a", "v", "2"));
    Files.move(staged, dir, StandardCopyOption.ATOMIC_MOVE);
    ResourceSnapshot back = until(s -> data(s).equals(Map.of("a", Map.of("v", "2"))) && s.problems().isEmpty(), 10)
        .stream().reduce((x, y) -> y).orElseThrow();
    assertEquals(Map.of("a", Map.of("v", "2")), data(back));
    assertNull(source.notReadyReason());
  }

  private static void deleteRecursively(Path path) throws IOException {
    try (Stream<Path> all = Files.walk(path)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
