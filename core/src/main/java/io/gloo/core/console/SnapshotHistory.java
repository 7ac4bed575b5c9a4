package io.gloo.core.console;

import com.google.errorprone.annotations.ThreadSafe;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.store.ResourceKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The last {@link #DEPTH} snapshots published per Gateway, oldest first, for the Changes page. Fed by the
 * publisher's listener (one thread) and read by page renders (any thread).
 */
@ThreadSafe
final class SnapshotHistory {

  static final int DEPTH = 10;

  private final Map<ResourceKey, Deque<PublishedSnapshot>> byGateway = new HashMap<>();

  synchronized void add(PublishedSnapshot snapshot) {
    Deque<PublishedSnapshot> versions = byGateway.computeIfAbsent(snapshot.gateway(), g -> new ArrayDeque<>());
    PublishedSnapshot last = versions.peekLast();
    if (last != null && last.versions().equals(snapshot.versions()) && last.removed() == snapshot.removed()) {
      return; // seeded from the current state and then told about the same publish
    }
    versions.addLast(snapshot);
    while (versions.size() > DEPTH) {
      versions.removeFirst();
    }
  }

  synchronized List<PublishedSnapshot> of(ResourceKey gateway) {
    Deque<PublishedSnapshot> versions = byGateway.get(gateway);
    return versions == null ? List.of() : new ArrayList<>(versions);
  }
}
