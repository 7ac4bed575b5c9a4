package io.gloo.core.watch;

import com.google.common.hash.HashCode;
import com.google.common.hash.Hashing;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.store.SourceProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the parsed state of a set of manifest files and brings it up to date on {@link #rescan}: only files whose
 * size, modification time or content changed are parsed again, and only the objects they define or used to define
 * are looked at again, so a one-file change costs that file, not every object (the new {@link ResourceSnapshot} is
 * the previous one {@linkplain ResourceSnapshot#withChanges with those changes}). A file that now has problems keeps
 * serving its last good resources (a half-written file must not delete routes); a file that never parsed cleanly
 * serves its good documents. When several files define one object, the last file in path order wins and the others
 * get a problem saying so. Not thread-safe: one scan at a time.
 */
final class ManifestScanner {

  private static final Logger LOG = LoggerFactory.getLogger(ManifestScanner.class);

  /**
   * A file modified this close to when we read it may change again without its size or mtime changing (coarse
   * mtime resolution); such files are re-read and compared by content until they have been quiet this long.
   */
  private static final long RACY_WINDOW_MILLIS = 2_000;

  /**
   * What we know about one file: its stat and content hash when read, and what it contributes (by key; a key
   * defined twice in one file is served from its last document).
   */
  private record FileState(long size, FileTime modified, long readAtMillis, HashCode hash,
      Map<ResourceKey, HasMetadata> served, List<SourceProblem> problems, boolean everGood) {

    boolean statUnchanged(BasicFileAttributes attrs) {
      return size == attrs.size() && modified.equals(attrs.lastModifiedTime())
          && readAtMillis - modified.toMillis() > RACY_WINDOW_MILLIS;
    }
  }

  private final ManifestParser parser;
  private final ResourceVersioning versioning;
  private final boolean logProblems;
  private final Map<Path, FileState> files = new TreeMap<>();
  /** For every key, the files that define it, in path order: the last one wins. */
  private final Map<ResourceKey, List<Path>> definedIn = new HashMap<>();
  /** Keys defined by more than one file. */
  private final Set<ResourceKey> duplicated = new TreeSet<>();
  private List<SourceProblem> listingProblems = List.of();
  private ResourceSnapshot snapshot = ResourceSnapshot.empty();

  ManifestScanner(ManifestParser parser, boolean logProblems) {
    this.parser = parser;
    this.versioning = new ResourceVersioning(parser.serialization());
    this.logProblems = logProblems;
  }

  /** Brings the state up to date with {@code listing}; returns whether the snapshot changed. */
  boolean rescan(ManifestFiles.Listing listing) {
    return rescan(listing, false);
  }

  /**
   * Like {@link #rescan(ManifestFiles.Listing)}; with {@code reparseAll}, every file is parsed again even if it did
   * not change (the {@link KindRegistry} changed, so documents once skipped as unknown kinds may now load, and
   * documents of an unregistered kind must go).
   */
  boolean rescan(ManifestFiles.Listing listing, boolean reparseAll) {
    Set<ResourceKey> touched = new HashSet<>();
    boolean problemsChanged = !listing.problems().equals(listingProblems);
    listingProblems = listing.problems();
    Set<Path> listed = new HashSet<>(listing.files());
    for (Iterator<Map.Entry<Path, FileState>> it = files.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Path, FileState> entry = it.next();
      Path file = entry.getKey();
      FileState gone = entry.getValue();
      if (!listed.contains(file)) {
        it.remove(); // after this, a TreeMap may reuse the entry for its successor: read it before
        forget(file, gone, touched);
        problemsChanged |= !gone.problems().isEmpty();
      }
    }
    for (Path file : listing.files()) {
      FileState old = files.get(file);
      FileState now = refresh(file, old, reparseAll);
      if (now == old) {
        continue;
      }
      problemsChanged |= old == null ? !now.problems().isEmpty()
          : now == null ? !old.problems().isEmpty() : !now.problems().equals(old.problems());
      if (old == null || now == null || old.served() != now.served()) {
        if (old != null) {
          forget(file, old, touched);
        }
        if (now != null) {
          define(file, now, touched);
        }
      }
    }
    if (touched.isEmpty() && !problemsChanged) {
      return false;
    }
    Map<ResourceKey, HasMetadata> changes = new HashMap<>();
    for (ResourceKey key : touched) {
      List<Path> origins = definedIn.get(key);
      HasMetadata winner = origins == null ? null : files.get(origins.get(origins.size() - 1)).served().get(key);
      HasMetadata serve = versioning.update(key, winner);
      if (serve != snapshot.get(key).orElse(null)) {
        changes.put(key, serve);
      }
    }
    List<SourceProblem> problems = problems();
    if (changes.isEmpty() && problems.equals(snapshot.problems())) {
      return false;
    }
    snapshot = snapshot.withChanges(changes, problems);
    return true;
  }

  ResourceSnapshot snapshot() {
    return snapshot;
  }

  int fileCount() {
    return files.size();
  }

  /**
   * Re-reads one file if it may have changed and records its new state: returns {@code old} when its content did
   * not change (the new stat is recorded all the same), null when the file is gone.
   */
  private FileState refresh(Path file, FileState old, boolean reparse) {
    BasicFileAttributes attrs;
    byte[] content;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
      if (!reparse && old != null && old.statUnchanged(attrs)) {
        return old;
      }
      content = Files.readAllBytes(file);
    } catch (IOException e) {
      // gone between listing and reading: drop it now, the next scan sees the final state
      files.remove(file);
      return null;
    }
    HashCode hash = Hashing.sha256().hashBytes(content);
    long now = System.currentTimeMillis();
    if (!reparse && old != null && old.hash().equals(hash)) {
      files.put(file, new FileState(attrs.size(), attrs.lastModifiedTime(), now, hash, old.served(), old.problems(),
          old.everGood()));
      return old;
    }
    ManifestParser.Result result = parser.parse(file.toString(), content);
    if (logProblems) {
      result.problems().forEach(p -> LOG.warn("{}", p));
    }
    boolean good = !result.hasProblems();
    boolean holdLastGood = !good && old != null && old.everGood();
    if (holdLastGood && logProblems) {
      LOG.warn("{}: keeping its last good {} resources until the problems are fixed", file, old.served().size());
    }
    Map<ResourceKey, HasMetadata> served;
    if (holdLastGood) {
      served = old.served();
    } else {
      served = new LinkedHashMap<>();
      for (HasMetadata resource : result.resources()) {
        served.put(ResourceKey.of(resource), resource);
      }
    }
    FileState state = new FileState(attrs.size(), attrs.lastModifiedTime(), now, hash, served, result.problems(),
        good || holdLastGood);
    files.put(file, state);
    return state;
  }

  /** Records that {@code file} defines its keys (kept in path order per key). */
  private void define(Path file, FileState state, Set<ResourceKey> touched) {
    for (ResourceKey key : state.served().keySet()) {
      touched.add(key);
      List<Path> origins = definedIn.get(key);
      if (origins == null) {
        definedIn.put(key, List.of(file));
        continue;
      }
      List<Path> more = new ArrayList<>(origins);
      int at = Collections.binarySearch(more, file);
      if (at < 0) {
        more.add(-at - 1, file);
      }
      definedIn.put(key, List.copyOf(more));
      if (more.size() > 1) {
        duplicated.add(key);
      }
    }
  }

  /** Records that {@code file} no longer defines what {@code state} served. */
  private void forget(Path file, FileState state, Set<ResourceKey> touched) {
    for (ResourceKey key : state.served().keySet()) {
      touched.add(key);
      List<Path> origins = definedIn.get(key);
      if (origins == null) {
        continue;
      }
      List<Path> fewer = new ArrayList<>(origins);
      fewer.remove(file);
      if (fewer.isEmpty()) {
        definedIn.remove(key);
      } else {
        definedIn.put(key, List.copyOf(fewer));
      }
      if (fewer.size() < 2) {
        duplicated.remove(key);
      }
    }
  }

  /** The listing's problems, each file's in path order, then one per file whose definition of a key is unused. */
  private List<SourceProblem> problems() {
    List<SourceProblem> problems = new ArrayList<>(listingProblems);
    for (FileState state : files.values()) {
      problems.addAll(state.problems());
    }
    for (ResourceKey key : duplicated) {
      List<Path> origins = definedIn.get(key);
      Path winner = origins.get(origins.size() - 1);
      for (Path loser : origins.subList(0, origins.size() - 1)) {
        problems.add(new SourceProblem(loser.toString(), 0, 0, key + " is also defined in " + winner + ", which wins"));
      }
    }
    return List.copyOf(problems);
  }
}
