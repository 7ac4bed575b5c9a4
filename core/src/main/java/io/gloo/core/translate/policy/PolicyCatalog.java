package io.gloo.core.translate.policy;

import com.google.errorprone.annotations.Immutable;
import io.gloo.spi.policy.FieldExtension;
import io.gloo.spi.policy.GroupKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The policy kinds the translator knows at one point in time (what the loaded plugins serve), and the field
 * extensions on them. Immutable: a plugin change produces a new catalog and a new translation.
 */
@Immutable
@SuppressWarnings("Immutable") // the maps are unmodifiable copies; kinds are the plugins' immutable descriptions
public final class PolicyCatalog {

  public static final PolicyCatalog EMPTY = new PolicyCatalog(List.of());

  /** A field extension served by a loaded plugin. */
  public record RegisteredExtension(String pluginId, FieldExtension<?> extension, ClassLoader classLoader) {}

  private final Map<GroupKind, RegisteredKind> kinds;
  /** Guarding kinds served earlier in this run that no loaded plugin serves now. */
  private final Map<GroupKind, RegisteredKind> absent;
  /** Per target kind, its extensions as kinds of their own ({@link ExtensionKind}), in registration order. */
  private final Map<GroupKind, List<RegisteredKind>> extensions;
  /**
   * Binds policy specs. One per catalog, never static: Jackson caches (de)serializers per class, and a cache that
   * outlived a plugin would keep its classloader alive after the plugin is unloaded.
   */
  private final ObjectMapper mapper = JsonMapper.builder().build();

  public PolicyCatalog(List<RegisteredKind> kinds) {
    this(kinds, List.of());
  }

  /**
   * @param extensions field extensions; one whose target kind is not in {@code kinds}, or has no merge object, or
   *     claims a field an earlier extension of the same target claims, is ignored (the first to claim keeps it)
   */
  public PolicyCatalog(List<RegisteredKind> kinds, List<RegisteredExtension> extensions) {
    this(kinds, extensions, List.of());
  }

  /**
   * @param absent guarding kinds a plugin served earlier and none serves now; one a loaded plugin serves is
   *     ignored. Their policies close the routes they target (see {@link AbsentKind}).
   */
  public PolicyCatalog(List<RegisteredKind> kinds, List<RegisteredExtension> extensions, List<AbsentKind> absent) {
    Map<GroupKind, RegisteredKind> map = new LinkedHashMap<>();
    for (RegisteredKind k : kinds) {
      map.putIfAbsent(k.groupKind(), k); // the first plugin to claim a kind keeps it
    }
    this.kinds = Collections.unmodifiableMap(map);
    Map<GroupKind, RegisteredKind> gone = new LinkedHashMap<>();
    for (AbsentKind a : absent) {
      if (!map.containsKey(a.groupKind())) {
        gone.putIfAbsent(a.groupKind(), new RegisteredKind(a.pluginId(), a, PolicyCatalog.class.getClassLoader()));
      }
    }
    this.absent = Collections.unmodifiableMap(gone);
    Map<GroupKind, List<RegisteredKind>> byTarget = new LinkedHashMap<>();
    Map<GroupKind, Set<String>> claimed = new LinkedHashMap<>();
    for (RegisteredExtension e : extensions) {
      RegisteredKind target = map.get(e.extension().target());
      if (target == null || target.kind().mergeField() == null) {
        continue;
      }
      Set<String> taken = claimed.computeIfAbsent(target.groupKind(), t -> new TreeSet<>());
      if (e.extension().fields().stream().anyMatch(taken::contains)) {
        continue;
      }
      taken.addAll(e.extension().fields());
      byTarget.computeIfAbsent(target.groupKind(), t -> new ArrayList<>()).add(new RegisteredKind(e.pluginId(),
          new ExtensionKind<>(e.extension(), target.kind().mergeField()), e.classLoader()));
    }
    for (RegisteredKind target : map.values()) {
      String mergeField = target.kind().mergeField();
      if (mergeField == null) {
        continue;
      }
      Set<String> taken = claimed.getOrDefault(target.groupKind(), Set.of());
      Set<String> unimplemented = new TreeSet<>();
      for (String path : target.kind().failClosedFields()) {
        String field = path.startsWith(mergeField + ".") ? path.substring(mergeField.length() + 1) : null;
        if (field != null && !field.contains(".") && !taken.contains(field)) {
          unimplemented.add(field);
        }
      }
      if (!unimplemented.isEmpty()) {
        byTarget.computeIfAbsent(target.groupKind(), t -> new ArrayList<>()).add(new RegisteredKind("core",
            ExtensionKind.unimplemented(target.groupKind(), mergeField, Set.copyOf(unimplemented)),
            PolicyCatalog.class.getClassLoader()));
      }
    }
    byTarget.replaceAll((t, list) -> List.copyOf(list));
    this.extensions = Collections.unmodifiableMap(byTarget);
  }

  public Optional<RegisteredKind> kind(GroupKind groupKind) {
    return Optional.ofNullable(kinds.get(groupKind));
  }

  public Optional<RegisteredKind> kind(String group, String kind) {
    return kind == null ? Optional.empty() : kind(new GroupKind(group, kind));
  }

  /** A guarding kind no loaded plugin serves any more (as core's {@link AbsentKind} stand-in), if it is one. */
  public Optional<RegisteredKind> absentKind(String group, String kind) {
    return kind == null ? Optional.empty() : Optional.ofNullable(absent.get(new GroupKind(group, kind)));
  }

  /** Whether there is nothing to index: no kind served, none absent. */
  public boolean isEmpty() {
    return kinds.isEmpty() && absent.isEmpty();
  }

  /** The extensions on a kind's fields (each as a kind whose translator gets the claimed fields). */
  public List<RegisteredKind> extensions(GroupKind target) {
    return extensions.getOrDefault(target, List.of());
  }

  /** The spec paths (e.g. {@code options.extauth}) of a kind's fields that loaded extensions translate. */
  public Set<String> claimedPaths(GroupKind target) {
    Set<String> paths = new TreeSet<>();
    for (RegisteredKind k : extensions(target)) {
      ExtensionKind<?> e = (ExtensionKind<?>) k.kind();
      if (e.isUnimplemented()) {
        continue; // still unsupported: reported as such, and the route fails closed
      }
      e.fields().forEach(f -> paths.add(e.targetMergeField() + "." + f));
    }
    return paths;
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  public Collection<RegisteredKind> kinds() {
    return kinds.values();
  }
}
