package io.gloo.core.watch;

import com.google.common.hash.HashCode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.SourceProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@link ManifestScanner} knows about one file: its stat and content hash when read (null when never read),
 * what it contributes (by key; a key defined twice in one file is served from its last document), its parse
 * problems, and why it is held at that content, if it is. Immutable.
 */
record FileState(FileStat stat, long readAtMillis, HashCode hash, Map<ResourceKey, HasMetadata> served,
    List<SourceProblem> problems, boolean everGood, FileState.Hold hold) {

  /**
   * A file modified this close to when we read it may change again without its size or mtime changing (coarse
   * mtime resolution); such files are re-read and compared by content until they have been quiet this long.
   */
  static final long RACY_WINDOW_MILLIS = 2_000;

  static final FileState NEVER_READ = new FileState(null, 0, null, Map.of(), List.of(), false, null);

  /**
   * Why a file serves what it last read instead of what is there now.
   *
   * @param writing true while it is being written (re-checked on every scan), false when it cannot be read
   * @param at the stat when it could not be read (re-tried once it changes); null when it has none
   */
  record Hold(SourceProblem problem, boolean writing, FileStat at) {}

  /** Whether the file certainly did not change since it was read (outside the racy window, no hold). */
  boolean unchangedSince(FileStat now) {
    return hold == null && stat != null && stat.equals(now)
        && readAtMillis - stat.modified().toMillis() > RACY_WINDOW_MILLIS;
  }

  FileState held(Hold why) {
    return new FileState(stat, readAtMillis, hash, served, problems, everGood, why);
  }

  /** Its problems as reported: the parse problems of what it serves, and why it is held. */
  List<SourceProblem> allProblems() {
    if (hold == null) {
      return problems;
    }
    List<SourceProblem> all = new ArrayList<>(problems);
    all.add(hold.problem());
    return all;
  }
}
