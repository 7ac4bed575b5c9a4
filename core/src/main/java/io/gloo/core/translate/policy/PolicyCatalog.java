package io.gloo.core.translate.policy;

import com.google.errorprone.annotations.Immutable;
import io.gloo.spi.policy.GroupKind;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The policy kinds the translator knows at one point in time (what the loaded plugins serve). Immutable: a plugin
 * change produces a new catalog and a new translation.
 */
@Immutable
@SuppressWarnings("Immutable") // the map is an unmodifiable copy; kinds are the plugins' immutable descriptions
public final class PolicyCatalog {

  public static final PolicyCatalog EMPTY = new PolicyCatalog(List.of());

  private final Map<GroupKind, RegisteredKind> kinds;
  /**
   * Binds policy specs. One per catalog, never static: Jackson caches (de)serializers per class, and a cache that
   * outlived a plugin would keep its classloader alive after the plugin is unloaded.
   */
  private final ObjectMapper mapper = JsonMapper.builder().build();

  public PolicyCatalog(List<RegisteredKind> kinds) {
    Map<GroupKind, RegisteredKind> map = new LinkedHashMap<>();
    for (RegisteredKind k : kinds) {
      map.putIfAbsent(k.groupKind(), k); // the first plugin to claim a kind keeps it
    }
    this.kinds = java.util.Collections.unmodifiableMap(map);
  }

  public Optional<RegisteredKind> kind(GroupKind groupKind) {
    return Optional.ofNullable(kinds.get(groupKind));
  }

  public Optional<RegisteredKind> kind(String group, String kind) {
    return kind == null ? Optional.empty() : kind(new GroupKind(group, kind));
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  public Collection<RegisteredKind> kinds() {
    return kinds.values();
  }
}
