package io.gloo.core.watch;

import com.google.common.hash.HashCode;
import com.google.common.hash.Hashing;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gloo.core.store.Instances;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.store.SourceProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the parsed state of a set of manifest files and brings it up to date on {@link #rescan}: only files whose
 * size, modification time or content changed are parsed again. A file that now has problems keeps serving its last
 * good resources (a half-written file must not delete routes); a file that never parsed cleanly serves its good
 * documents. Not thread-safe: one scan at a time.
 */
final class ManifestScanner {

  private static final Logger LOG = LoggerFactory.getLogger(ManifestScanner.class);

  /**
   * A file modified this close to when we read it may change again without its size or mtime changing (coarse
   * mtime resolution); such files are re-read and compared by content until they have been quiet this long.
   */
  private static final long RACY_WINDOW_MILLIS = 2_000;

  /** What we know about one file: its stat and content hash when read, and what it contributes. */
  private record FileState(long size, FileTime modified, long readAtMillis, HashCode hash,
      List<HasMetadata> served, List<SourceProblem> problems, boolean everGood) {

    boolean statUnchanged(BasicFileAttributes attrs) {
      return size == attrs.size() && modified.equals(attrs.lastModifiedTime())
          && readAtMillis - modified.toMillis() > RACY_WINDOW_MILLIS;
    }
  }

  private final ManifestParser parser;
  private final ResourceVersioning versioning;
  private final boolean logProblems;
  private final Map<Path, FileState> files = new TreeMap<>();
  private List<SourceProblem> listingProblems = List.of();
  private List<HasMetadata> published = List.of();
  private List<SourceProblem> publishedProblems = List.of();
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
    boolean filesChanged = files.keySet().retainAll(listing.files());
    for (Path file : listing.files()) {
      filesChanged |= refresh(file, reparseAll);
    }
    if (!filesChanged && listing.problems().equals(listingProblems)) {
      return false;
    }
    listingProblems = listing.problems();
    return rebuild();
  }

  ResourceSnapshot snapshot() {
    return snapshot;
  }

  int fileCount() {
    return files.size();
  }

  /** Re-reads one file if it may have changed; returns whether what it contributes changed. */
  private boolean refresh(Path file, boolean reparse) {
    FileState old = files.get(file);
    BasicFileAttributes attrs;
    byte[] content;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
      if (!reparse && old != null && old.statUnchanged(attrs)) {
        return false;
      }
      content = Files.readAllBytes(file);
    } catch (IOException e) {
      // gone between listing and reading: drop it now, the next scan sees the final state
      return files.remove(file) != null;
    }
    HashCode hash = Hashing.sha256().hashBytes(content);
    long now = System.currentTimeMillis();
    if (!reparse && old != null && old.hash().equals(hash)) {
      files.put(file, new FileState(attrs.size(), attrs.lastModifiedTime(), now, hash, old.served(), old.problems(),
          old.everGood()));
      return false;
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
    List<HasMetadata> served = holdLastGood ? old.served() : result.resources();
    files.put(file, new FileState(attrs.size(), attrs.lastModifiedTime(), now, hash, served, result.problems(),
        good || holdLastGood));
    return true;
  }

  /** Recomputes the served resources and problems; returns whether they differ from the published ones. */
  private boolean rebuild() {
    // Later files win on duplicate keys (as in ResourceSnapshot); say so, since one definition is silently unused.
    Map<ResourceKey, HasMetadata> byKey = new LinkedHashMap<>();
    Map<ResourceKey, Path> origin = new HashMap<>();
    List<SourceProblem> problems = new ArrayList<>(listingProblems);
    for (Map.Entry<Path, FileState> entry : files.entrySet()) {
      problems.addAll(entry.getValue().problems());
      for (HasMetadata resource : entry.getValue().served()) {
        ResourceKey key = ResourceKey.of(resource);
        Path earlier = origin.put(key, entry.getKey());
        if (earlier != null && !earlier.equals(entry.getKey())) {
          problems.add(new SourceProblem(earlier.toString(), 0, 0,
              key + " is also defined in " + entry.getKey() + ", which wins"));
        }
        byKey.put(key, resource);
      }
    }
    List<HasMetadata> resources = versioning.apply(byKey.values());
    if (Instances.sameElements(resources, published) && problems.equals(publishedProblems)) {
      return false;
    }
    published = resources;
    publishedProblems = List.copyOf(problems);
    snapshot = ResourceSnapshot.of(resources, problems);
    return true;
  }
}
