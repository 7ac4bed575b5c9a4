package io.gloo.core.provision;

import static io.gloo.core.provision.ProxyProvisioner.GATEWAY_NAME_LABEL;
import static io.gloo.core.provision.ProxyProvisioner.MANAGED_BY;
import static io.gloo.core.provision.ProxyProvisioner.MANAGED_BY_LABEL;
import static io.gloo.core.provision.ProxyProvisioner.SPEC_HASH_ANNOTATION;
import static io.gloo.core.provision.ProxyProvisioner.proxyName;

import com.google.common.util.concurrent.RateLimiter;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.gloo.core.store.ResourceKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the proxies' objects to the API server for {@link ProxyProvisioner}: creates what is missing, updates only
 * what differs from what we want (keeping what the API server or others own: replica count, cluster IP, node ports,
 * other annotations), deletes what belongs to Gateways no longer ours. Every write waits for the rate limiter and is
 * refused once leadership is lost. Used from the provisioner thread only.
 */
final class ProxyObjectWriter {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyProvisioner.class);

  private final KubernetesClient client;
  private final RateLimiter limiter;
  private final AtomicBoolean leader;
  private final Set<String> watchNamespaces;
  private final AtomicLong writes = new AtomicLong();

  ProxyObjectWriter(KubernetesClient client, double writesPerSecond, AtomicBoolean leader,
      Set<String> watchNamespaces) {
    this.client = client;
    this.limiter = RateLimiter.create(writesPerSecond);
    this.leader = leader;
    this.watchNamespaces = watchNamespaces;
  }

  /** Writes (create, update, delete) that reached the API server. */
  long writes() {
    return writes.get();
  }
  /** Creates or updates the objects of one Gateway to be as {@code d} wants. */
  void apply(ProxyObjects.Desired d) {
    applyMeta(client.serviceAccounts(), d.account(), existing -> false);
    applyMeta(client.configMaps(), d.config(), existing -> {
      if (Objects.equals(existing.getData(), d.config().getData())) {
        return false;
      }
      existing.setData(d.config().getData());
      return true;
    });
    applyMeta(client.apps().deployments(), d.deployment(), existing -> {
      String want = d.deployment().getMetadata().getAnnotations().get(SPEC_HASH_ANNOTATION);
      Map<String, String> annotations = existing.getMetadata().getAnnotations() == null ? new HashMap<>()
          : new HashMap<>(existing.getMetadata().getAnnotations());
      if (want.equals(annotations.get(SPEC_HASH_ANNOTATION))) {
        return false;
      }
      annotations.put(SPEC_HASH_ANNOTATION, want);
      existing.getMetadata().setAnnotations(annotations);
      // The replica count is left to whoever scales the proxies; the selector is the same (it is immutable).
      Integer replicas = existing.getSpec() == null ? null : existing.getSpec().getReplicas();
      existing.setSpec(d.deployment().getSpec());
      existing.getSpec().setReplicas(replicas);
      return true;
    });
    applyMeta(client.services(), d.service(), existing -> {
      var want = d.service().getSpec();
      var have = existing.getSpec();
      if (Objects.equals(want.getType(), have.getType()) && Objects.equals(want.getSelector(), have.getSelector())
          && portsOf(have.getPorts()).equals(portsOf(want.getPorts()))) {
        return false;
      }
      // Keep what the API server allocated (clusterIP, node ports of ports that stay).
      Map<Integer, Integer> nodePorts = new HashMap<>();
      if (have.getPorts() != null) {
        for (ServicePort p : have.getPorts()) {
          if (p.getNodePort() != null) {
            nodePorts.put(p.getPort(), p.getNodePort());
          }
        }
      }
      List<ServicePort> ports = new ArrayList<>();
      for (ServicePort p : want.getPorts()) {
        ServicePort copy = new ServicePortBuilder(p).build();
        if (!"ClusterIP".equals(want.getType())) {
          copy.setNodePort(nodePorts.get(p.getPort()));
        }
        ports.add(copy);
      }
      have.setType(want.getType());
      have.setSelector(want.getSelector());
      have.setPorts(ports);
      return true;
    });
  }

  private static List<String> portsOf(List<ServicePort> ports) {
    List<String> result = new ArrayList<>();
    if (ports != null) {
      for (ServicePort p : ports) {
        result.add(p.getName() + " " + p.getPort() + " " + p.getProtocol() + " " + p.getTargetPort());
      }
    }
    result.sort(null);
    return result;
  }

  private interface Merge<T> {
    /** Changes {@code existing} toward what we want; answers whether it changed. */
    boolean merge(T existing);
  }

  /** Creates the object, or updates it when its labels, owner references or content (per {@code merge}) differ. */
  private <T extends HasMetadata> void applyMeta(MixedOperation<T, ?, ? extends Resource<T>> op, T desired,
      Merge<T> merge) {
    String ns = desired.getMetadata().getNamespace();
    String name = desired.getMetadata().getName();
    T existing = op.inNamespace(ns).withName(name).get();
    if (existing == null) {
      write();
      op.inNamespace(ns).resource(desired).create();
      writes.incrementAndGet();
      LOG.info("created {} {}/{}", desired.getKind(), ns, name);
      return;
    }
    boolean changed = merge.merge(existing);
    ObjectMeta meta = existing.getMetadata();
    Map<String, String> labels = meta.getLabels() == null ? new LinkedHashMap<>()
        : new LinkedHashMap<>(meta.getLabels());
    if (!labels.entrySet().containsAll(desired.getMetadata().getLabels().entrySet())) {
      labels.putAll(desired.getMetadata().getLabels());
      meta.setLabels(labels);
      changed = true;
    }
    // spec.infrastructure.annotations are added like the labels (others' annotations on the object are kept)
    Map<String, String> wantedAnnotations = desired.getMetadata().getAnnotations() == null ? Map.of()
        : desired.getMetadata().getAnnotations();
    Map<String, String> annotations = meta.getAnnotations() == null ? new LinkedHashMap<>()
        : new LinkedHashMap<>(meta.getAnnotations());
    if (!annotations.entrySet().containsAll(wantedAnnotations.entrySet())) {
      annotations.putAll(wantedAnnotations);
      meta.setAnnotations(annotations);
      changed = true;
    }
    if (!Objects.equals(meta.getOwnerReferences(), desired.getMetadata().getOwnerReferences())) {
      meta.setOwnerReferences(desired.getMetadata().getOwnerReferences());
      changed = true;
    }
    if (!changed) {
      return;
    }
    write();
    op.inNamespace(ns).resource(existing).update(); // a conflict throws: the next pass starts from a fresh read
    writes.incrementAndGet();
    LOG.info("updated {} {}/{}", desired.getKind(), ns, name);
  }

  /** Waits for the rate limiter; throws if leadership was lost meanwhile (nothing is written then). */
  void write() {
    limiter.acquire();
    if (!leader.get()) {
      throw new IllegalStateException("no longer the leader");
    }
  }

  /** Deletes the objects we provisioned for Gateways that are no longer of our class (or are gone). */
  void deleteOrphans(Set<ResourceKey> ourKeys, boolean withCertificates) {
    deleteOrphans(client.apps().deployments(), ourKeys);
    deleteOrphans(client.services(), ourKeys);
    deleteOrphans(client.configMaps(), ourKeys);
    deleteOrphans(client.serviceAccounts(), ourKeys);
    if (withCertificates) {
      deleteOrphans(client.secrets(), ourKeys);
    }
  }

  private <T extends HasMetadata, L extends KubernetesResourceList<T>> void deleteOrphans(
      MixedOperation<T, L, ? extends Resource<T>> op,
      Set<ResourceKey> ourKeys) {
    List<T> found = new ArrayList<>();
    if (watchNamespaces.isEmpty()) {
      found.addAll(op.inAnyNamespace().withLabel(MANAGED_BY_LABEL, MANAGED_BY).withLabel(GATEWAY_NAME_LABEL)
          .list().getItems());
    } else {
      for (String ns : watchNamespaces) {
        found.addAll(op.inNamespace(ns).withLabel(MANAGED_BY_LABEL, MANAGED_BY).withLabel(GATEWAY_NAME_LABEL)
            .list().getItems());
      }
    }
    for (T object : found) {
      String gateway = object.getMetadata().getLabels().get(GATEWAY_NAME_LABEL);
      String ns = object.getMetadata().getNamespace();
      String name = object.getMetadata().getName();
      if (ourKeys.contains(new ResourceKey("Gateway", ns, gateway))
          || !(proxyName(gateway).equals(name) || ProxyCertificates.secretName(gateway).equals(name))) {
        continue;
      }
      write();
      try {
        op.inNamespace(ns).withName(object.getMetadata().getName()).delete();
        writes.incrementAndGet();
        LOG.info("deleted {} {}/{}: Gateway {} is not of our class", object.getKind(), ns,
            object.getMetadata().getName(), gateway);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e;
        }
      }
    }
  }
}
