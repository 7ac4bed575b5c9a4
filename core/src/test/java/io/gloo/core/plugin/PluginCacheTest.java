package io.gloo.core.plugin;

import static io.gloo.core.plugin.TestPlugins.HEADERS;
import static io.gloo.core.plugin.TestPlugins.LIBV1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.watch.KindRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugin archives expanded once into a cache keyed by content, shared by runs (issue #21). */
class PluginCacheTest {

  @TempDir
  Path temp;

  private Path plugins() {
    return temp.resolve("plugins");
  }

  private Path cache() {
    return temp.resolve("cache");
  }

  private LoadedPlugins loadOnce() throws Exception {
    PluginManager.Options options = new PluginManager.Options(plugins(), Set.of(), Map.of(), null, null)
        .withCache(cache()).offline();
    try (PluginManager manager = new PluginManager(options, KindRegistry.withBuiltins(), null)) {
      LoadedPlugins loaded = manager.rescan();
      assertTrue(loaded.get(HEADERS).orElseThrow().started(), loaded.get(HEADERS).orElseThrow().describeState());
      return loaded;
    }
  }

  private List<Path> copies() throws Exception {
    try (Stream<Path> files = Files.list(cache())) {
      return files.sorted().toList();
    }
  }

  @Test
  void aSecondRunLoadsTheCopyTheFirstExpandedAndClosingKeepsIt() throws Exception {
    TestPlugins.install(HEADERS, plugins());
    loadOnce();
    List<Path> first = copies();
    assertEquals(1, first.size(), first.toString());
    assertTrue(first.get(0).getFileName().toString().startsWith(HEADERS + ".zip-"), first.toString());
    assertTrue(Files.isDirectory(first.get(0).resolve("classes")), "expanded in full");
    Files.writeString(first.get(0).resolve("marker"), "not re-expanded");

    loadOnce();
    assertEquals(first, copies(), "the same copy, no new one");
    assertTrue(Files.exists(first.get(0).resolve("marker")), "the copy was reused, not rewritten");
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache())));
  }

  @Test
  void anArchiveWithOtherContentGetsACopyOfItsOwnAndTheOldOneIsUntouched() throws Exception {
    TestPlugins.install(HEADERS, plugins());
    loadOnce();
    Path old = copies().get(0);
    // same file name and size class, other bytes: another plugin's archive under this name
    TestPlugins.install(LIBV1, plugins(), HEADERS + ".zip");
    String oldKey = PluginCache.key(TestPlugins.archive(HEADERS));
    String newKey = PluginCache.key(plugins().resolve(HEADERS + ".zip"));
    assertNotEquals(oldKey, newKey);
    PluginCache cache = new PluginCache(cache());
    Path copy = cache.expanded(plugins().resolve(HEADERS + ".zip"));
    assertTrue(copy.getFileName().toString().endsWith(newKey), copy.toString());
    assertEquals(2, copies().size());
    assertTrue(Files.isDirectory(old.resolve("classes")), "the copy a running plugin may use stays as it was");
  }

  @Test
  void theKeyFollowsContentNotTimes() throws Exception {
    Path a = TestPlugins.install(HEADERS, temp.resolve("a"));
    Path b = Files.copy(a, temp.resolve("b.zip"));
    Files.setLastModifiedTime(b, FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
    assertEquals(PluginCache.key(a), PluginCache.key(b));
    Path notZip = Files.writeString(temp.resolve("c.zip"), "not a zip at all");
    Path other = Files.writeString(temp.resolve("d.zip"), "not a zip either");
    assertNotEquals(PluginCache.key(notZip), PluginCache.key(other), "hashed whole when not a zip");
  }

  @Test
  void concurrentRunsExpandingTheSameArchiveAllGetOneCompleteCopy() throws Exception {
    Path archive = TestPlugins.install(HEADERS, plugins());
    PluginCache cache = new PluginCache(cache());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Path>> tasks = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        tasks.add(() -> new PluginCache(cache()).expanded(archive));
      }
      Set<Path> results = new HashSet<>();
      for (Future<Path> result : pool.invokeAll(tasks)) {
        results.add(result.get());
      }
      assertEquals(Set.of(cache.expanded(archive)), results);
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, copies().size(), "no temporary directory left: " + copies());
    assertTrue(Files.isRegularFile(copies().get(0).resolve("classes/META-INF/MANIFEST.MF")));
  }

  @Test
  void pruneDeletesCopiesUnusedForLongAndKeepsTheOthers() throws Exception {
    TestPlugins.install(HEADERS, plugins());
    TestPlugins.install(LIBV1, plugins());
    PluginCache cache = new PluginCache(cache());
    Path stale = cache.expanded(plugins().resolve(HEADERS + ".zip"));
    Path fresh = cache.expanded(plugins().resolve(LIBV1 + ".zip"));
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(PluginCache.UNUSED_FOR).minusSeconds(60)));
    cache.prune();
    assertFalse(Files.exists(stale));
    assertTrue(Files.exists(fresh));
    assertEquals(List.of(fresh), copies());
  }

  @Test
  void withoutTheLauncherPropertyThereIsNoCache() {
    String before = System.getProperty(PluginCache.PROPERTY);
    try {
      System.clearProperty(PluginCache.PROPERTY);
      assertEquals(null, PluginCache.configured());
      System.setProperty(PluginCache.PROPERTY, "off");
      assertEquals(null, PluginCache.configured());
      System.setProperty(PluginCache.PROPERTY, temp.resolve("configured").toString());
      assertEquals(temp.resolve("configured"), PluginCache.configured());
    } finally {
      if (before == null) {
        System.clearProperty(PluginCache.PROPERTY);
      } else {
        System.setProperty(PluginCache.PROPERTY, before);
      }
    }
  }
}
