package io.gloo.core.watch;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gloo.core.store.ResourceKey;
import java.util.HashMap;
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
  private final Map<ResourceKey, Served> served = new HashMap<>();
  private long nextResourceVersion = 1;

  ResourceVersioning(KubernetesSerialization serialization) {
    this.serialization = serialization;
  }

  /**
   * The instance to serve for {@code key} now that the manifests define it as {@code resource} (null: no longer
   * defined): the previous instance if the content is unchanged, else {@code resource} with generation and
   * resourceVersion filled in. A key that goes away is forgotten, so a deleted and re-created object starts again at
   * generation 1.
   */
  HasMetadata update(ResourceKey key, HasMetadata resource) {
    if (resource == null) {
      served.remove(key);
      return null;
    }
    Served previous = served.get(key);
    if (previous != null && previous.resource() == resource) {
      return resource; // a held (last good) or untouched object
    }
    JsonNode content = serialization.convertValue(resource, JsonNode.class);
    if (previous != null && previous.parsedContent().equals(content)) {
      return previous.resource(); // re-parsed, but the same object
    }
    assignVersions(resource.getMetadata(), previous, content);
    served.put(key, new Served(resource, content));
    return resource;
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
