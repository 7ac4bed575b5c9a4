package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.Secret;
import io.gloo.core.ir.BackendIR;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.policy.PolicyResolver;
import io.gloo.spi.policy.GroupKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.gloo.core.translate.policy.BackendLookup;
import io.gloo.core.translate.policy.RegisteredKind;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.PolicyRef;
import io.gloo.spi.translate.ResourceLookup;

/**
 * The {@link ResourceLookup} plugins get: reads from the translation's resource snapshot, never writes. The xDS
 * stage wraps it per policy, so that {@link #backendCluster} knows who asks.
 */
final class SnapshotLookup implements BackendLookup {

  private final ResourceSnapshot snapshot;
  private final Backends backends;
  private final PolicyResolver policies;
  @com.google.errorprone.annotations.concurrent.GuardedBy("this")
  private ReferenceGrants grants;

  SnapshotLookup(ResourceSnapshot snapshot, Backends backends, PolicyResolver policies) {
    this.snapshot = snapshot;
    this.backends = backends;
    this.policies = policies;
  }

  @Override
  public Optional<Map<String, byte[]>> secret(String namespace, String name) {
    return snapshot.get(Secret.class, namespace, name).map(SnapshotLookup::decode);
  }

  private static Map<String, byte[]> decode(Secret secret) {
    Map<String, byte[]> data = new HashMap<>();
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> data.put(k, Base64.getMimeDecoder().decode(v)));
    }
    if (secret.getStringData() != null) {
      secret.getStringData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
    }
    return data;
  }

  @Override
  public Optional<List<HostPort>> serviceEndpoints(String namespace, String service, int port) {
    synchronized (backends) { // plugin calls may come from worker threads
      return backends.serviceEndpoints(namespace, service, port).map(endpoints -> {
        List<HostPort> result = new ArrayList<>();
        for (BackendIR.Endpoint e : endpoints) {
          result.add(new HostPort(e.address(), e.port()));
        }
        return result;
      });
    }
  }

  @Override
  public Optional<BackendIR> backend(PolicyRef from, GroupKind kind, String namespace, String name) {
    Optional<RegisteredKind> pluginKind = policies.kind(kind.group(), kind.kind(), Attachment.BACKEND_REF);
    if (pluginKind.isEmpty()) {
      return Optional.empty();
    }
    synchronized (backends) {
      Backends.Resolution r = backends.resolvePluginBackend(pluginKind.get(), from.groupKind().group(),
          from.groupKind().kind(), from.namespace(), from + " (reference)", kind.group(), kind.kind(), namespace,
          name, null, kind + " " + namespace + "/" + name);
      return r.resolved() ? Optional.ofNullable(backends.backend(r.cluster())) : Optional.empty();
    }
  }

  @Override
  public <T> Optional<T> policy(GroupKind kind, Class<T> specType, String namespace, String name) {
    return policies.lookup(kind, specType, namespace, name);
  }

  /** Every Secret carrying all of {@code matchLabels}, in namespace and name order. */
  private List<SecretData> secretsLabelled(Map<String, String> matchLabels) {
    List<SecretData> result = new ArrayList<>();
    for (Secret secret : snapshot.list(Secret.class)) {
      Map<String, String> labels = secret.getMetadata().getLabels() == null ? Map.of()
          : secret.getMetadata().getLabels();
      if (labels.entrySet().containsAll(matchLabels.entrySet())) {
        result.add(new SecretData(secret.getMetadata().getNamespace(), secret.getMetadata().getName(),
            secret.getType(), decode(secret)));
      }
    }
    result.sort(Comparator.comparing(SecretData::namespace).thenComparing(SecretData::name));
    return result;
  }

  private ReferenceGrants grants() {
    synchronized (this) {
      if (grants == null) {
        grants = new ReferenceGrants(snapshot);
      }
      return grants;
    }
  }

  @Override
  public ResourceLookup forPolicy(PolicyRef from) {
    SnapshotLookup all = this;
    return new ResourceLookup() {
      private boolean readable(String namespace, String name) {
        return grants().permits(from.groupKind().group(), from.groupKind().kind(), from.namespace(), "", "Secret",
            namespace, name);
      }

      @Override
      public Optional<Map<String, byte[]>> secret(String namespace, String name) {
        return readable(namespace, name) ? all.secret(namespace, name) : Optional.empty();
      }

      @Override
      public List<SecretData> secrets(Map<String, String> matchLabels) {
        return all.secretsLabelled(matchLabels).stream().filter(s -> readable(s.namespace(), s.name())).toList();
      }

      @Override
      public Optional<List<HostPort>> serviceEndpoints(String namespace, String service, int port) {
        return all.serviceEndpoints(namespace, service, port);
      }

      @Override
      public <T> Optional<T> policy(GroupKind kind, Class<T> specType, String namespace, String name) {
        return all.policy(kind, specType, namespace, name);
      }

      @Override
      public Optional<String> backendCluster(GroupKind kind, String namespace, String name) {
        return all.backend(from, kind, namespace, name).map(BackendIR::clusterName);
      }
    };
  }
}
