package io.gloo.testkit;

import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.translate.ResourceLookup;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link ResourceLookup} over resources the test puts in: Secrets, Service endpoints, other policies' specs and
 * backend clusters. Like core's, every lookup is recorded ({@link #lookups()}, e.g. {@code secret default/creds}), so
 * a test can check what a translator depends on. Reference grants are not modelled: what is put in is readable.
 * Not thread-safe; one per test.
 */
public final class FakeResourceLookup implements ResourceLookup {

  private final Map<String, SecretData> secrets = new TreeMap<>();
  private final Map<String, List<HostPort>> endpoints = new HashMap<>();
  private final Map<String, Object> policies = new HashMap<>();
  private final Map<String, String> backendClusters = new HashMap<>();
  private final Map<String, Map<String, String>> secretLabels = new HashMap<>();
  private final List<String> lookups = new ArrayList<>();

  /** A Secret of type Opaque; string values are stored as UTF-8. */
  public FakeResourceLookup secret(String namespace, String name, Map<String, String> data) {
    return secret(namespace, name, "Opaque", Map.of(), data);
  }

  public FakeResourceLookup secret(String namespace, String name, String type, Map<String, String> labels,
      Map<String, String> data) {
    Map<String, byte[]> bytes = new LinkedHashMap<>();
    data.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
    secrets.put(namespace + "/" + name, new SecretData(namespace, name, type, Map.copyOf(bytes)));
    secretLabels.put(namespace + "/" + name, Map.copyOf(labels));
    return this;
  }

  public FakeResourceLookup serviceEndpoints(String namespace, String service, int port, List<HostPort> ready) {
    endpoints.put(namespace + "/" + service + ":" + port, List.copyOf(ready));
    return this;
  }

  /** Another policy's bound spec, as {@link #policy(GroupKind, Class, String, String)} returns it. */
  public FakeResourceLookup policy(GroupKind kind, String namespace, String name, Object spec) {
    policies.put(kind + " " + namespace + "/" + name, spec);
    return this;
  }

  public FakeResourceLookup backendCluster(GroupKind kind, String namespace, String name, String cluster) {
    backendClusters.put(kind + " " + namespace + "/" + name, cluster);
    return this;
  }

  /** What was looked up, in order: {@code secret ns/name}, {@code endpoints ns/svc:port}, {@code policy KIND ns/n}. */
  public List<String> lookups() {
    return List.copyOf(lookups);
  }

  @Override
  public Optional<Map<String, byte[]>> secret(String namespace, String name) {
    lookups.add("secret " + namespace + "/" + name);
    return Optional.ofNullable(secrets.get(namespace + "/" + name)).map(SecretData::data);
  }

  @Override
  public Optional<List<HostPort>> serviceEndpoints(String namespace, String service, int port) {
    lookups.add("endpoints " + namespace + "/" + service + ":" + port);
    return Optional.ofNullable(endpoints.get(namespace + "/" + service + ":" + port));
  }

  @Override
  public <T> Optional<T> policy(GroupKind kind, Class<T> specType, String namespace, String name) {
    lookups.add("policy " + kind + " " + namespace + "/" + name);
    Object spec = policies.get(kind + " " + namespace + "/" + name);
    return specType.isInstance(spec) ? Optional.of(specType.cast(spec)) : Optional.empty();
  }

  @Override
  public Optional<String> backendCluster(GroupKind kind, String namespace, String name) {
    lookups.add("backend " + kind + " " + namespace + "/" + name);
    return Optional.ofNullable(backendClusters.get(kind + " " + namespace + "/" + name));
  }

  @Override
  public List<SecretData> secrets(Map<String, String> matchLabels) {
    lookups.add("secrets " + new TreeMap<>(matchLabels));
    List<SecretData> out = new ArrayList<>();
    secrets.forEach((key, secret) -> {
      if (secretLabels.get(key).entrySet().containsAll(matchLabels.entrySet())) {
        out.add(secret);
      }
    });
    return out;
  }
}
