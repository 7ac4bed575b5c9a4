package io.gloo.core.admission;

import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * A CustomResourceDefinition as admission needs it: group, kind, scope and its versions.
 *
 * @param origin who defines it, for messages ("Gateway API v1.6.1", "Gloo")
 */
public record Crd(String group, String kind, boolean namespaced, List<Version> versions, String origin) {

  /** One version: whether the API serves it, whether it is the storage version, and its schema. */
  public record Version(String name, boolean served, boolean storage, JsonNode openApiV3Schema) {}

  public Crd {
    versions = List.copyOf(versions);
  }

  /** The served version of this name, if any. */
  public Optional<Version> served(String version) {
    return versions.stream().filter(v -> v.served() && v.name().equals(version)).findFirst();
  }

  /** The names of the served versions, in the CRD's order. */
  public List<String> servedVersions() {
    return versions.stream().filter(Version::served).map(Version::name).toList();
  }

  /** The storage version's name. */
  public String storageVersion() {
    return versions.stream().filter(Version::storage).map(Version::name).findFirst()
        .orElse(versions.get(0).name());
  }

  public String apiVersion(String version) {
    return group + "/" + version;
  }
}
