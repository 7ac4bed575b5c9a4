package io.gloo.core.validate;

import io.gloo.core.store.ResourceKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A reason Envoy would reject (or misserve) one xDS resource of a snapshot.
 *
 * @param typeUrl the xDS type, e.g. {@code type.googleapis.com/envoy.config.route.v3.RouteConfiguration}
 * @param resourceName the xDS resource's name
 * @param violation what is wrong, with the field path inside that resource
 * @param sources the Kubernetes resources the offending part came from, read from the nearest enclosing
 *     {@code metadata.filter_metadata["io.gloo.source"]} (a route: its HTTPRoute; a virtual host: every resource it
 *     serves; a cluster: its Service); empty when nothing on the path carries source metadata (e.g. a listener)
 */
public record Finding(String typeUrl, String resourceName, Violation violation, List<ResourceKey> sources) {

  public Finding {
    Objects.requireNonNull(typeUrl, "typeUrl");
    Objects.requireNonNull(resourceName, "resourceName");
    Objects.requireNonNull(violation, "violation");
    sources = List.copyOf(sources);
  }

  /** The first source resource, if any. */
  public Optional<ResourceKey> source() {
    return sources.isEmpty() ? Optional.empty() : Optional.of(sources.get(0));
  }

  /** The short xDS type name, e.g. {@code RouteConfiguration}. */
  public String type() {
    return typeUrl.substring(typeUrl.lastIndexOf('.') + 1);
  }

  /** One line naming the source resource(s) first, e.g. for a Gateway status or a log. */
  public String message() {
    StringBuilder sb = new StringBuilder();
    if (!sources.isEmpty()) {
      sb.append(String.join(", ", sources.stream().map(ResourceKey::toString).toList())).append(": ");
    }
    sb.append(type()).append(" '").append(resourceName).append("'");
    if (!violation.path().isEmpty()) {
      sb.append(' ').append(violation.path());
    }
    sb.append(": ").append(violation.message()).append(" [").append(violation.rule()).append(']');
    return sb.toString();
  }

  @Override
  public String toString() {
    return message();
  }
}
