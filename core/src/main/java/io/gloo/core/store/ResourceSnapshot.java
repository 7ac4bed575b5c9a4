package io.gloo.core.store;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import com.google.errorprone.annotations.Immutable;

/**
 * An immutable, indexed view of every input resource at one point in time: what the translator reads.
 * Both config sources (a directory of YAML, Kubernetes informers) produce these; the translator is a pure
 * function of one snapshot.
 */
@Immutable
public final class ResourceSnapshot {

  private final Map<Class<?>, List<HasMetadata>> byType;
  private final Map<ResourceKey, HasMetadata> byKey;
  private final List<SourceProblem> problems;

  private ResourceSnapshot(Map<Class<?>, List<HasMetadata>> byType, Map<ResourceKey, HasMetadata> byKey,
      List<SourceProblem> problems) {
    this.byType = byType;
    this.byKey = byKey;
    this.problems = problems;
  }

  public static ResourceSnapshot empty() {
    return of(List.of(), List.of());
  }

  /**
   * Indexes the given resources. When two resources share a key, the later one in iteration order wins
   * (sources pass them in a stable order, e.g. sorted by file path).
   */
  public static ResourceSnapshot of(Collection<? extends HasMetadata> resources, List<SourceProblem> problems) {
    Map<ResourceKey, HasMetadata> byKey = new LinkedHashMap<>();
    for (HasMetadata r : resources) {
      byKey.put(ResourceKey.of(r), r);
    }
    // Sorted on the keys already computed, rather than with a comparator that builds two keys per comparison.
    Map<Class<?>, List<Map.Entry<ResourceKey, HasMetadata>>> entriesByType = new HashMap<>();
    for (Map.Entry<ResourceKey, HasMetadata> e : byKey.entrySet()) {
      entriesByType.computeIfAbsent(e.getValue().getClass(), c -> new ArrayList<>()).add(e);
    }
    Map<Class<?>, List<HasMetadata>> byType = new HashMap<>();
    entriesByType.forEach((c, entries) -> {
      entries.sort(Map.Entry.comparingByKey());
      List<HasMetadata> list = new ArrayList<>(entries.size());
      for (Map.Entry<ResourceKey, HasMetadata> e : entries) {
        list.add(e.getValue());
      }
      byType.put(c, Collections.unmodifiableList(list));
    });
    return new ResourceSnapshot(Map.copyOf(byType), Collections.unmodifiableMap(byKey), List.copyOf(problems));
  }

  /**
   * This snapshot with some resources replaced, added or removed, and with {@code problems}: for a source that knows
   * what changed. Equal to {@link #of} over the resulting resources, but the unchanged ones are not indexed again
   * (the indexes are copied and the few changes put in place), so a one-object change costs a copy rather than a
   * re-sort of every resource.
   *
   * @param changes by key: the resource now, or null when it is gone
   */
  public ResourceSnapshot withChanges(Map<ResourceKey, ? extends HasMetadata> changes, List<SourceProblem> problems) {
    Map<ResourceKey, HasMetadata> nextByKey = new LinkedHashMap<>(byKey);
    if (changes.size() > 64 && changes.size() > byKey.size() / 16) {
      // many changes (a first load, a re-list): one sort beats thousands of insertions into sorted lists
      changes.forEach((key, resource) -> {
        if (resource == null) {
          nextByKey.remove(key);
        } else {
          nextByKey.put(key, resource);
        }
      });
      return of(nextByKey.values(), problems);
    }
    Map<Class<?>, List<HasMetadata>> edited = new HashMap<>();
    for (Map.Entry<ResourceKey, ? extends HasMetadata> change : changes.entrySet()) {
      ResourceKey key = change.getKey();
      HasMetadata next = change.getValue();
      HasMetadata previous = next == null ? nextByKey.remove(key) : nextByKey.put(key, next);
      if (previous != null) {
        List<HasMetadata> list = editable(edited, previous.getClass());
        list.remove(sortedIndexOf(list, key));
      }
      if (next != null) {
        List<HasMetadata> list = editable(edited, next.getClass());
        list.add(-sortedIndexOf(list, key) - 1, next);
      }
    }
    Map<Class<?>, List<HasMetadata>> nextByType = new HashMap<>(byType);
    edited.forEach((type, list) -> {
      if (list.isEmpty()) {
        nextByType.remove(type);
      } else {
        nextByType.put(type, Collections.unmodifiableList(list));
      }
    });
    return new ResourceSnapshot(Map.copyOf(nextByType), Collections.unmodifiableMap(nextByKey),
        List.copyOf(problems));
  }

  /** The list of one type being edited by {@link #withChanges}: a copy of this snapshot's, made on first use. */
  private List<HasMetadata> editable(Map<Class<?>, List<HasMetadata>> edited, Class<?> type) {
    return edited.computeIfAbsent(type, t -> new ArrayList<>(byType.getOrDefault(t, List.of())));
  }

  /** Binary search in a list sorted by key: the index of {@code key}, or {@code -(insertion point) - 1}. */
  private static int sortedIndexOf(List<HasMetadata> sorted, ResourceKey key) {
    int low = 0;
    int high = sorted.size() - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      int order = ResourceKey.of(sorted.get(mid)).compareTo(key);
      if (order < 0) {
        low = mid + 1;
      } else if (order > 0) {
        high = mid - 1;
      } else {
        return mid;
      }
    }
    return -(low + 1);
  }

  /** Every resource of exactly this type, sorted by namespace and name. */
  @SuppressWarnings("unchecked")
  public <T extends HasMetadata> List<T> list(Class<T> type) {
    return (List<T>) byType.getOrDefault(type, List.of());
  }

  public <T extends HasMetadata> Optional<T> get(Class<T> type, String namespace, String name) {
    HasMetadata r = byKey.get(new ResourceKey(HasMetadata.getKind(type), namespace, name));
    return type.isInstance(r) ? Optional.of(type.cast(r)) : Optional.empty();
  }

  public Optional<HasMetadata> get(ResourceKey key) {
    return Optional.ofNullable(byKey.get(key));
  }

  public Collection<HasMetadata> all() {
    return byKey.values();
  }

  public int size() {
    return byKey.size();
  }

  /** Problems the source met while reading (malformed files and the like). */
  public List<SourceProblem> problems() {
    return problems;
  }
}
