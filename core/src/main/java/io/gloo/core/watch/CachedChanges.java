package io.gloo.core.watch;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the informer caches hold that the served snapshot does not, as {@link ResourceSnapshot#withChanges} takes it.
 * An object whose uid and resourceVersion did not change is not a change, even when a re-list made a new instance of
 * it, so the translator keeps seeing the instance it already translated.
 */
final class CachedChanges {

  private CachedChanges() {}

  /** By key: the cached object that is new or changed, or null for one served but no longer cached. */
  static Map<ResourceKey, HasMetadata> since(ResourceSnapshot previous, List<HasMetadata> cached) {
    Map<ResourceKey, HasMetadata> changes = new HashMap<>();
    Set<ResourceKey> present = new HashSet<>(cached.size() * 2);
    for (HasMetadata r : cached) {
      ResourceKey key = ResourceKey.of(r);
      present.add(key);
      HasMetadata served = previous.get(key).orElse(null);
      if (served != r && !sameVersion(served, r)) {
        changes.put(key, r);
      }
    }
    if (present.size() < previous.size()) {
      for (HasMetadata r : previous.all()) {
        ResourceKey key = ResourceKey.of(r);
        if (!present.contains(key)) {
          changes.put(key, null);
        }
      }
    }
    return changes;
  }

  private static boolean sameVersion(HasMetadata served, HasMetadata now) {
    return served != null && served.getMetadata().getResourceVersion() != null
        && Objects.equals(served.getMetadata().getUid(), now.getMetadata().getUid())
        && served.getMetadata().getResourceVersion().equals(now.getMetadata().getResourceVersion());
  }
}
