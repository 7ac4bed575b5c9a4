package io.gloo.core.watch;

import com.google.common.hash.HashCode;
import com.google.common.hash.Hashing;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.store.SourceProblem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the parsed state of a set of manifest files and brings it up to date on {@link #rescan}: only files whose
 * size, modification time or content changed are parsed again, and only the objects they define or used to define
 * are looked at again, so a one-file change costs that file, not every object (the new {@link ResourceSnapshot} is
 * the previous one {@linkplain ResourceSnapshot#withChanges with those changes}). When several files define one
 * object, the last file in path order wins and the others get a problem saying so. Not thread-safe: one scan at a
 * time.
 *
 * <p>Nothing a file served is dropped unless the file is gone (no entry at its path any more) or was read and no
 * longer defines it. A file keeps serving its last good resources, with a problem that names it, while it:
 * <ul>
 *   <li>has parse problems (a file that never parsed cleanly serves its good documents);</li>
 *   <li>is being written in place: a changed file is read only once {@link WriteSettling} says it is whole;</li>
 *   <li>cannot be read: permission denied, replaced by a directory, a FIFO or a dangling symbolic link, a symbolic
 *       link out of the config directory ({@link ManifestFiles}), larger than the size cap, or under a directory
 *       that cannot be opened;</li>
 *   <li>or, for a watched directory that vanished, everything ({@link #holdAll}).</li>
 * </ul>
 */
final class ManifestScanner {

  private static final Logger LOG = LoggerFactory.getLogger(ManifestScanner.class);

  private final ManifestParser parser;
  private final ResourceVersioning versioning;
  private final boolean logProblems;
  private final WriteSettling settling;
  /** Files larger than this are not read (reported as unreadable), so one huge file cannot exhaust the heap. */
  private final long maxBytes;
  private final Map<Path, FileState> files = new TreeMap<>();
  /** For every key, the files that define it, in path order: the last one wins. */
  private final Map<ResourceKey, List<Path>> definedIn = new HashMap<>();
  /** Keys defined by more than one file. */
  private final Set<ResourceKey> duplicated = new TreeSet<>();
  private List<SourceProblem> listingProblems = List.of();
  private List<SourceProblem> unservedGateways = List.of();
  private ResourceSnapshot snapshot = ResourceSnapshot.empty();
  private boolean scannedOnce;

  /** A scanner that reads every changed file at once (offline loads, tests). */
  ManifestScanner(ManifestParser parser, boolean logProblems) {
    this(parser, logProblems, Duration.ZERO, DirectorySource.DEFAULT_MAX_MANIFEST_BYTES);
  }

  /**
   * @param settle how long a file written in place must stay unchanged before it is read ({@link WriteSettling});
   *     the first scan reads everything at once
   * @param maxBytes the largest file read; a larger one is reported and keeps serving its last good resources
   */
  ManifestScanner(ManifestParser parser, boolean logProblems, Duration settle, long maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("the manifest size cap must be positive, got " + maxBytes);
    }
    this.maxBytes = maxBytes;
    this.parser = parser;
    this.versioning = new ResourceVersioning(parser.serialization());
    this.logProblems = logProblems;
    this.settling = new WriteSettling(settle);
  }

  /** Brings the state up to date with {@code listing}; returns whether the snapshot changed. */
  boolean rescan(ManifestFiles.Listing listing) {
    return rescan(listing, false, FileEvents.UNKNOWN);
  }

  /** {@link #rescan(ManifestFiles.Listing, boolean, FileEvents)} without events. */
  boolean rescan(ManifestFiles.Listing listing, boolean reparseAll) {
    return rescan(listing, reparseAll, FileEvents.UNKNOWN);
  }

  /**
   * Like {@link #rescan(ManifestFiles.Listing)}; with {@code reparseAll}, every file is parsed again even if it did
   * not change (the {@link KindRegistry} changed, so documents once skipped as unknown kinds may now load, and
   * documents of an unregistered kind must go). {@code events} tell which changed files arrived whole.
   */
  boolean rescan(ManifestFiles.Listing listing, boolean reparseAll, FileEvents events) {
    boolean trustAll = !scannedOnce;
    scannedOnce = true;
    long nowNanos = System.nanoTime();
    Set<ResourceKey> touched = new HashSet<>();
    boolean problemsChanged = false;
    Set<Path> listed = new HashSet<>(listing.files());
    for (Iterator<Map.Entry<Path, FileState>> it = files.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Path, FileState> entry = it.next();
      Path file = entry.getKey();
      FileState old = entry.getValue();
      if (listed.contains(file)) {
        continue;
      }
      String unreadable = stillThere(file, listing);
      if (unreadable != null) { // not a readable file any more, but not removed either: keep what it served
        FileState now = unreadable(file, old, unreadable, null);
        problemsChanged |= !now.allProblems().equals(old.allProblems());
        entry.setValue(now);
        continue;
      }
      it.remove(); // after this, a TreeMap may reuse the entry for its successor: read it before
      settling.done(file);
      forget(file, old, touched);
      problemsChanged |= !old.allProblems().isEmpty();
      if (logProblems && !old.served().isEmpty()) {
        LOG.info("{} was removed: its {} resources are withdrawn", file, old.served().size());
      }
    }
    for (Path file : listing.files()) {
      FileState old = files.get(file);
      FileState now = refresh(file, old, reparseAll, events, trustAll, nowNanos);
      if (now == null) {
        files.remove(file);
        settling.done(file);
      } else {
        files.put(file, now);
      }
      if (now == old) {
        continue;
      }
      problemsChanged |= !(old == null ? List.of() : old.allProblems())
          .equals(now == null ? List.of() : now.allProblems());
      if (old == null || now == null || old.served() != now.served()) {
        if (old != null) {
          forget(file, old, touched);
        }
        if (now != null) {
          define(file, now, touched);
        }
      }
    }
    List<SourceProblem> listedProblems = listingProblems(listing);
    problemsChanged |= !listedProblems.equals(listingProblems);
    listingProblems = listedProblems;
    return apply(touched, problemsChanged);
  }

  /**
   * Keeps every file's last state and reports {@code problem} instead of reading: for a watched directory that is
   * gone (deleted, unmounted), which must not be taken for "no manifests". The next {@link #rescan} reads again.
   * Returns whether the snapshot changed.
   */
  boolean holdAll(SourceProblem problem) {
    boolean changed = !listingProblems.equals(List.of(problem));
    listingProblems = List.of(problem);
    return apply(Set.of(), changed);
  }

  ResourceSnapshot snapshot() {
    return snapshot;
  }

  int fileCount() {
    return files.size();
  }

  /** The files that serve what they last read instead of what is there now, and why. */
  Map<Path, SourceProblem> heldFiles() {
    Map<Path, SourceProblem> held = new TreeMap<>();
    files.forEach((file, state) -> {
      if (state.hold() != null) {
        held.put(file, state.hold().problem());
      }
    });
    return held;
  }

  /** When ({@link System#nanoTime()}) a file held while being written should be looked at again; empty if none. */
  OptionalLong nextCheck() {
    return settling.nextCheck();
  }

  /** Puts the touched keys' winners into a new snapshot, if anything changed; returns whether it did. */
  private boolean apply(Set<ResourceKey> touched, boolean problemsChanged) {
    if (touched.isEmpty() && !problemsChanged) {
      return false;
    }
    Map<ResourceKey, HasMetadata> changes = new HashMap<>();
    boolean gatewaysTouched = false;
    for (ResourceKey key : touched) {
      List<Path> origins = definedIn.get(key);
      HasMetadata winner = origins == null ? null : files.get(origins.get(origins.size() - 1)).served().get(key);
      HasMetadata serve = versioning.update(key, winner);
      if (serve != snapshot.get(key).orElse(null)) {
        changes.put(key, serve);
        gatewaysTouched |= key.kind().equals("Gateway") || key.kind().equals("GatewayClass");
      }
    }
    if (gatewaysTouched) {
      List<SourceProblem> unserved = UnservedGateways.check(snapshot, changes, this::fileOf);
      if (logProblems && !unserved.equals(unservedGateways)) {
        unserved.forEach(p -> LOG.warn("{}", p));
      }
      unservedGateways = unserved;
    }
    List<SourceProblem> problems = problems();
    if (changes.isEmpty() && problems.equals(snapshot.problems())) {
      return false;
    }
    snapshot = snapshot.withChanges(changes, problems);
    return true;
  }

  private String fileOf(ResourceKey key) {
    List<Path> origins = definedIn.get(key);
    return origins == null ? key.toString() : origins.get(origins.size() - 1).toString();
  }

  /**
   * Why a file we knew, no longer listed as a manifest, still stands at its path and cannot be read (it or its
   * directory); null when it is gone.
   */
  private static String stillThere(Path file, ManifestFiles.Listing listing) {
    String reason = listing.unreadableReason(file);
    if (reason != null) {
      return reason;
    }
    String what = FileStat.describeNonFile(file);
    return what == null ? null : "it is now " + what + ", not a file";
  }

  /** The listing's own problems and one per unreadable entry that was never a file we read. */
  private List<SourceProblem> listingProblems(ManifestFiles.Listing listing) {
    if (listing.unreadable().isEmpty()) {
      return listing.problems();
    }
    List<SourceProblem> problems = new ArrayList<>(listing.problems());
    listing.unreadable().forEach((path, reason) -> {
      if (!files.containsKey(path)) {
        problems.add(new SourceProblem(path.toString(), 0, 0, "cannot be read (" + reason + "): ignored"));
      }
    });
    return List.copyOf(problems);
  }

  /**
   * Re-reads one file if it may have changed and it may be read now: returns {@code old} when nothing about it
   * changed, null when the file is gone, else its new state (which may be {@code old} held).
   */
  private FileState refresh(Path file, FileState old, boolean reparse, FileEvents events, boolean trustAll,
      long nowNanos) {
    FileStat stat;
    try {
      stat = FileStat.of(file);
    } catch (NoSuchFileException e) {
      return null; // gone between listing and reading: the next scan sees the final state
    } catch (IOException e) {
      return unreadable(file, old, FileStat.reason(e), null);
    }
    if (old != null && !reparse && old.unchangedSince(stat)) {
      return old;
    }
    if (old != null && old.hold() != null && !old.hold().writing() && stat.equals(old.hold().at())) {
      return old; // still the file we could not read: try again once it changes
    }
    if (stat.size() > maxBytes) { // not worth waiting for: a file being written only grows
      settling.done(file);
      return unreadable(file, old, tooLarge(stat.size() + " bytes"), stat);
    }
    boolean changed = old == null || old.stat() == null || old.hold() != null || !old.stat().equals(stat);
    if (changed && !trustAll && !settling.mayRead(file, stat, events, nowNanos)) {
      return beingWritten(file, old);
    }
    byte[] content;
    try {
      content = readAtMost(file);
      if (content == null) { // grew past the cap since its stat
        settling.done(file);
        return unreadable(file, old, tooLarge("more than " + maxBytes + " bytes"), FileStat.of(file));
      }
      FileStat after = FileStat.of(file);
      if (!after.equals(stat) && !trustAll) {
        settling.changedWhileReading(file, after, System.nanoTime());
        return beingWritten(file, old);
      }
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      settling.done(file);
      return unreadable(file, old, FileStat.reason(e), stat);
    }
    settling.done(file);
    if (old != null && old.hold() != null && logProblems) {
      LOG.info(old.hold().writing() ? "{} has settled: serving what it holds now" : "{} can be read again", file);
    }
    HashCode hash = Hashing.sha256().hashBytes(content);
    long now = System.currentTimeMillis();
    if (!reparse && old != null && old.hash() != null && old.hash().equals(hash)) {
      return new FileState(stat, now, hash, old.served(), old.problems(), old.everGood(), null);
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
    return new FileState(stat, now, hash, served, result.problems(), good || holdLastGood, null);
  }

  /** The file's bytes, or null when it holds more than {@link #maxBytes} (then only that many plus one are read). */
  private byte[] readAtMost(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] content = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
      return content.length > maxBytes ? null : content;
    }
  }

  private String tooLarge(String size) {
    return "it is " + size + ", over the " + maxBytes + "-byte limit per manifest file of --max-manifest-bytes";
  }

  /** {@code file} is held while being written: it keeps serving what it served (nothing, if it is new). */
  private FileState beingWritten(Path file, FileState old) {
    FileState base = old == null ? FileState.NEVER_READ : old;
    if (base.hold() != null && base.hold().writing()) {
      return old; // already said so
    }
    String message = "is being written: " + (base.served().isEmpty() ? "not read" : "serving the "
        + base.served().size() + " resources last read from it") + " until it has been unchanged for "
        + settling.settleMillis() + " ms (write the file beside the directory and move it in to apply it at once)";
    if (logProblems) {
      LOG.warn("{} {}", file, message);
    }
    return base.held(new FileState.Hold(new SourceProblem(file.toString(), 0, 0, message), true, null));
  }

  /**
   * {@code file} cannot be read: it keeps serving what it served (nothing, if it is new) until it can.
   *
   * @param at its stat, if it has one: it is tried again once that changes
   */
  private FileState unreadable(Path file, FileState old, String reason, FileStat at) {
    FileState base = old == null ? FileState.NEVER_READ : old;
    String message = "cannot be read (" + reason + ")" + (base.served().isEmpty() ? ""
        : ": serving the " + base.served().size() + " resources last read from it until it can be read or is removed");
    FileState.Hold hold = new FileState.Hold(new SourceProblem(file.toString(), 0, 0, message), false, at);
    if (hold.equals(base.hold())) {
      return old;
    }
    if (logProblems && (base.hold() == null || !base.hold().problem().equals(hold.problem()))) {
      LOG.warn("{} {}", file, message);
    }
    return base.held(hold);
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

  /**
   * The listing's problems, each file's in path order, then one per file whose definition of a key is unused, then
   * Gateways that nothing here serves.
   */
  private List<SourceProblem> problems() {
    List<SourceProblem> problems = new ArrayList<>(listingProblems);
    for (FileState state : files.values()) {
      problems.addAll(state.allProblems());
    }
    for (ResourceKey key : duplicated) {
      List<Path> origins = definedIn.get(key);
      Path winner = origins.get(origins.size() - 1);
      for (Path loser : origins.subList(0, origins.size() - 1)) {
        problems.add(new SourceProblem(loser.toString(), 0, 0, key + " is also defined in " + winner + ", which wins"));
      }
    }
    problems.addAll(unservedGateways);
    return List.copyOf(problems);
  }
}
