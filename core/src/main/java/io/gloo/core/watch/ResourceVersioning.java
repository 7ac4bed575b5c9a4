package io.gloo.core.watch;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gloo.core.store.ResourceKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Plays the apiserver's part for {@code metadata.generation} and {@code metadata.resourceVersion}, which status
 * reporting and change detection rely on: generation starts at 1 and goes up when the object's content (everything
 * but status, generation and resourceVersion) changes; resourceVersion is a counter bumped on any change. Values the
 * manifest sets itself are kept.
 *
 * <p>An object whose manifest did not change is served as the same instance as before, so callers can tell
 * "unchanged" by identity. Not thread-safe: used by one scanner at a time.
 */
final class ResourceVersioning {

  /** What was served for a key, and its content as parsed (before we filled in generation/resourceVersion). */
  private record Served(HasMetadata resource, JsonNode parsedContent) {}

  private final KubernetesSerialization serialization;
  private Map<ResourceKey, Served> served = new HashMap<>();
  private long nextResourceVersion = 1;

  ResourceVersioning(KubernetesSerialization serialization) {
    this.serialization = serialization;
  }

  /**
   * Returns the instances to serve for {@code current} (one per key, in order): previous instances where content is
   * unchanged, otherwise the new ones with generation and resourceVersion filled in. Keys not passed are forgotten,
   * so a deleted and re-created object starts again at generation 1.
   */
  List<HasMetadata> apply(Collection<HasMetadata> current) {
    Map<ResourceKey, Served> next = new HashMap<>();
    List<HasMetadata> result = new ArrayList<>(current.size());
    for (HasMetadata resource : current) {
      ResourceKey key = ResourceKey.of(resource);
      Served previous = served.get(key);
      if (previous != null && previous.resource() == resource) {
        next.put(key, previous); // a held (last good) or untouched object
        result.add(resource);
        continue;
      }
      JsonNode content = serialization.convertValue(resource, JsonNode.class);
      if (previous != null && previous.parsedContent().equals(content)) {
        next.put(key, previous); // re-parsed, but the same object
        result.add(previous.resource());
        continue;
      }
      assignVersions(resource.getMetadata(), previous, content);
      next.put(key, new Served(resource, content));
      result.add(resource);
    }
    served = next;
    return result;
  }

  private void assignVersions(ObjectMeta metadata, Served previous, JsonNode content) {
    if (metadata.getGeneration() == null) {
      long generation = 1;
      if (previous != null) {
        Long previousGeneration = previous.resource().getMetadata().getGeneration();
        generation = previousGeneration == null ? 1 : previousGeneration;
        if (!withoutVolatileFields(previous.parsedContent()).equals(withoutVolatileFields(content))) {
          generation++;
        }
      }
      metadata.setGeneration(generation);
    }
    if (metadata.getResourceVersion() == null) {
      metadata.setResourceVersion(Long.toString(nextResourceVersion++));
    }
  }

  /** The content that generation tracks: no status, and not the version fields themselves. */
  private static JsonNode withoutVolatileFields(JsonNode content) {
    JsonNode copy = content.deepCopy();
    if (copy instanceof ObjectNode object) {
      object.remove("status");
      if (object.get("metadata") instanceof ObjectNode metadata) {
        metadata.remove("generation");
        metadata.remove("resourceVersion");
      }
    }
    return copy;
  }
}
