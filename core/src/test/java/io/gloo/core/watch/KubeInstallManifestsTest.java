package io.gloo.core.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gloo.core.provision.ProxyProvisioner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The install manifests under {@code dist/src/install/}: the Gloo CRDs fit every Gloo example of their kinds, and the
 * control plane's Deployment, Service and RBAC match what the code does (probes, ports, least-privilege verbs on
 * exactly the kinds {@link KubernetesSource} watches and the statuses the writer updates).
 */
class KubeInstallManifestsTest {

  private static final Path INSTALL = Paths.get("..", "dist", "src", "install");
  private static final Set<String> GLOO_KINDS = Set.of("RouteOption", "VirtualHostOption", "Upstream",
      "RateLimitConfig", "AuthConfig",
      // the Gloo Edge API, read by core
      "Gateway", "VirtualService", "RouteTable", "UpstreamGroup",
      // Gloo Gateway's DirectResponse, served by core
      "DirectResponse");
  private static final YAMLMapper YAML = YAMLMapper.builder().build();
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private static Map<String, CustomResourceDefinition> crdsByKind() throws IOException {
    Map<String, CustomResourceDefinition> crds = new TreeMap<>();
    try (Stream<Path> files = Files.list(INSTALL.resolve("crds"))) {
      for (Path file : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        CustomResourceDefinition crd = SERIALIZATION.unmarshal(Files.readString(file), CustomResourceDefinition.class);
        crds.put(crd.getSpec().getNames().getKind(), crd);
      }
    }
    return crds;
  }

  @Test
  void everyGlooKindHasANamespacedCrdThatKeepsUnknownFieldsAndHasAStatusSubresource() throws IOException {
    Map<String, CustomResourceDefinition> crds = crdsByKind();
    assertEquals(GLOO_KINDS, crds.keySet());
    for (CustomResourceDefinition crd : crds.values()) {
      var spec = crd.getSpec();
      assertEquals(spec.getNames().getPlural() + "." + spec.getGroup(), crd.getMetadata().getName());
      assertEquals("Namespaced", spec.getScope());
      assertEquals(1, spec.getVersions().stream().filter(CustomResourceDefinitionVersion::getStorage).count());
      for (CustomResourceDefinitionVersion v : spec.getVersions()) {
        assertTrue(v.getServed());
        assertNotNull(v.getSubresources().getStatus(), crd.getMetadata().getName() + " needs the status subresource");
        assertEquals(Boolean.TRUE, v.getSchema().getOpenAPIV3Schema().getXKubernetesPreserveUnknownFields());
      }
      // The plural is the one the source and the writer use for plugin kinds (no discovery).
      assertEquals(spec.getNames().getPlural(), KubernetesSource.contextFor(new KindRegistry.KindInfo(
          spec.getGroup() + "/" + spec.getVersions().get(0).getName(), spec.getNames().getKind(),
          io.fabric8.kubernetes.api.model.GenericKubernetesResource.class, true)).getPlural());
    }
  }

  @Test
  void everyGlooExampleOfTheseKindsValidatesAgainstItsCrd() throws IOException {
    Path examples = Paths.get(System.getProperty("gloo.shared.dir", "/work/shared")).resolve("gloo-examples");
    if (!Files.isDirectory(examples)) {
      examples = Paths.get("").toAbsolutePath().getParent().resolveSibling("shared").resolve("gloo-examples");
    }
    Assumptions.assumeTrue(Files.isDirectory(examples), "gloo-examples not found");
    Map<String, CustomResourceDefinition> crds = crdsByKind();
    List<String> problems = new ArrayList<>();
    Map<String, Integer> counts = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(examples)) {
      files = walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
    }
    for (Path file : files) {
      List<JsonNode> docs;
      try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
        docs = it.readAll();
      } catch (RuntimeException e) {
        continue; // not a manifest (ManifestExamplesTest covers parsing)
      }
      for (JsonNode doc : docs) {
        if (doc == null || !doc.isObject() || !GLOO_KINDS.contains(doc.path("kind").asString(""))
            || doc.path("apiVersion").asString("").startsWith("gateway.networking.k8s.io/")) {
          continue; // (a Gateway API Gateway shares its kind with Gloo Edge's)
        }
        String kind = doc.path("kind").asString();
        counts.merge(kind, 1, Integer::sum);
        CustomResourceDefinition crd = crds.get(kind);
        String apiVersion = doc.path("apiVersion").asString("");
        Set<String> served = crd.getSpec().getVersions().stream().filter(CustomResourceDefinitionVersion::getServed)
            .map(v -> crd.getSpec().getGroup() + "/" + v.getName()).collect(Collectors.toSet());
        String where = examples.relativize(file) + " " + kind + " " + doc.path("metadata").path("name").asString("");
        if (!served.contains(apiVersion)) {
          problems.add(where + ": apiVersion " + apiVersion + " not served by " + served);
        }
        if (doc.path("metadata").path("name").asString("").isEmpty()) {
          problems.add(where + ": no metadata.name");
        }
        if (!"Namespaced".equals(crd.getSpec().getScope())) {
          problems.add(where + ": CRD is not namespaced");
        }
        if (doc.has("spec") && !doc.get("spec").isObject()) {
          problems.add(where + ": spec is not an object");
        }
        if (doc.has("status") && !doc.get("status").isObject()) {
          problems.add(where + ": status is not an object");
        }
      }
    }
    assertEquals(List.of(), problems);
    assertTrue(counts.values().stream().mapToInt(Integer::intValue).sum() > 50, "too few examples: " + counts);
  }

  @Test
  void theControlPlaneManifestsMatchWhatTheCodeDoes() throws IOException {
    List<HasMetadata> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class)
        .readValues(INSTALL.resolve("gloo-gateway.yaml").toFile())) {
      for (JsonNode doc : it.readAll()) {
        objects.add(SERIALIZATION.unmarshal(doc.toString()));
      }
    }
    Deployment deployment = single(objects, Deployment.class);
    String namespace = deployment.getMetadata().getNamespace();
    Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    Map<String, Integer> ports = container.getPorts().stream()
        .collect(Collectors.toMap(p -> p.getName(), p -> p.getContainerPort()));
    // 18081 and 8083: the rate-limit and ext-auth plugins' default ports (Gloo's), which Envoy reaches through the Service
    // 18082 and 8084: the config streams to standalone replicas (mutual TLS)
    assertEquals(Map.of("xds", 9977, "admin", 9091, "ratelimit", 18081, "extauth", 8083, "rl-stream", 18082,
        "ea-stream", 8084), ports);
    assertEquals("/readyz", container.getReadinessProbe().getHttpGet().getPath());
    assertEquals("admin", container.getReadinessProbe().getHttpGet().getPort().getStrVal());
    assertEquals("/healthz", container.getLivenessProbe().getHttpGet().getPath());
    assertTrue(container.getArgs().contains("serve"));
    Set<String> env = container.getEnv().stream().map(e -> e.getName()).collect(Collectors.toSet());
    assertTrue(env.containsAll(Set.of("POD_NAME", "POD_NAMESPACE")), "identity and lease namespace: " + env);

    Service service = single(objects, Service.class);
    assertEquals(namespace, service.getMetadata().getNamespace());
    assertEquals(Set.of(9977, 9091, 18081, 8083, 18082, 8084), service.getSpec().getPorts().stream().map(p -> p.getPort())
        .collect(Collectors.toSet()));
    assertEquals(deployment.getSpec().getSelector().getMatchLabels(), service.getSpec().getSelector());

    ServiceAccount account = single(objects, ServiceAccount.class);
    assertEquals(account.getMetadata().getName(), deployment.getSpec().getTemplate().getSpec().getServiceAccountName());
    ClusterRoleBinding crb = single(objects, ClusterRoleBinding.class);
    RoleBinding rb = named(objects, RoleBinding.class, "gloo-gateway-leader-election");
    RoleBinding caBinding = named(objects, RoleBinding.class, "gloo-gateway-ca");
    for (var subject : List.of(crb.getSubjects().get(0), rb.getSubjects().get(0), caBinding.getSubjects().get(0))) {
      assertEquals(account.getMetadata().getName(), subject.getName());
      assertEquals(namespace, subject.getNamespace());
    }

    // Least privilege: read what the source watches, write only statuses; no wildcards.
    ClusterRole role = single(objects, ClusterRole.class);
    assertEquals(role.getMetadata().getName(), crb.getRoleRef().getName());
    Map<String, Set<String>> verbs = new HashMap<>();
    for (PolicyRule rule : role.getRules()) {
      assertFalse(rule.getVerbs().contains("*") || rule.getResources().contains("*")
          || rule.getApiGroups().contains("*"), "wildcard in " + rule);
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          verbs.computeIfAbsent(group + "/" + resource, k -> new HashSet<>()).addAll(rule.getVerbs());
        }
      }
    }
    Set<String> expected = new HashSet<>();
    // Proxy provisioning: what ProxyProvisioner reads (get; list to find orphans), creates, updates and deletes,
    // and the Secret with each proxy's client certificate for xDS mTLS.
    Set<String> provisioning = Set.of("get", "list", "create", "update", "delete");
    Map<String, Set<String>> provisioned = Map.of("apps/deployments", provisioning, "/services", provisioning,
        "/serviceaccounts", provisioning, "/configmaps", provisioning, "/secrets", provisioning);
    for (Class<? extends HasMetadata> type : KubeInformers.BUILTIN_TYPES) {
      String resource = HasMetadata.getGroup(type) + "/" + HasMetadata.getPlural(type);
      expected.add(resource);
      Set<String> want = new HashSet<>(Set.of("get", "list", "watch"));
      want.addAll(provisioned.getOrDefault(resource, Set.of()));
      assertEquals(want, verbs.get(resource), resource);
    }
    for (Map.Entry<String, Set<String>> e : provisioned.entrySet()) {
      expected.add(e.getKey());
      // kinds the source also watches were checked above, with watch added
      if (KubeInformers.BUILTIN_TYPES.stream()
          .noneMatch(t -> (HasMetadata.getGroup(t) + "/" + HasMetadata.getPlural(t)).equals(e.getKey()))) {
        assertEquals(e.getValue(), verbs.get(e.getKey()), e.getKey());
      }
    }
    // blockOwnerDeletion on the provisioned objects' owner references.
    expected.add("gateway.networking.k8s.io/gateways/finalizers");
    assertEquals(Set.of("update"), verbs.get("gateway.networking.k8s.io/gateways/finalizers"));
    for (CustomResourceDefinition crd : crdsByKind().values()) {
      String resource = crd.getSpec().getGroup() + "/" + crd.getSpec().getNames().getPlural();
      expected.add(resource);
      expected.add(resource + "/status");
      assertEquals(Set.of("get", "list", "watch"), verbs.get(resource), resource);
      assertEquals(Set.of("update", "patch"), verbs.get(resource + "/status"), resource);
    }
    for (String kind : List.of("gatewayclasses", "gateways", "httproutes", "grpcroutes", "tlsroutes", "tcproutes",
        "udproutes", "backendtlspolicies", "listenersets")) {
      String status = "gateway.networking.k8s.io/" + kind + "/status";
      expected.add(status);
      assertEquals(Set.of("update", "patch"), verbs.get(status), status);
    }
    assertEquals(expected, verbs.keySet(), "the ClusterRole grants exactly what is used");

    Role leases = named(objects, Role.class, "gloo-gateway-leader-election");
    assertEquals(namespace, leases.getMetadata().getNamespace());
    assertEquals(leases.getMetadata().getName(), rb.getRoleRef().getName());
    assertEquals(1, leases.getRules().size());
    assertEquals(List.of("coordination.k8s.io"), leases.getRules().get(0).getApiGroups());
    assertEquals(List.of("leases"), leases.getRules().get(0).getResources());
    assertEquals(Set.of("get", "create", "update"), Set.copyOf(leases.getRules().get(0).getVerbs()));

    // The CA Secret: get/update on its name only; create (which cannot name it) in this namespace only.
    Role ca = named(objects, Role.class, "gloo-gateway-ca");
    assertEquals(namespace, ca.getMetadata().getNamespace());
    assertEquals(ca.getMetadata().getName(), caBinding.getRoleRef().getName());
    Map<Set<String>, List<String>> caRules = new HashMap<>();
    ca.getRules().forEach(r -> caRules.put(Set.copyOf(r.getVerbs()), r.getResourceNames()));
    assertEquals(Map.of(Set.of("get", "update"), List.of("gloo-ca"), Set.of("create"), List.of()), caRules);
    assertEquals(2, objects.stream().filter(Role.class::isInstance).count());

    // Network: xDS, rate-limit and ext-auth only from the proxies (the provisioner's label), admin from monitoring.
    NetworkPolicy policy = single(objects, NetworkPolicy.class);
    assertEquals(namespace, policy.getMetadata().getNamespace());
    assertEquals(deployment.getSpec().getSelector().getMatchLabels(), policy.getSpec().getPodSelector().getMatchLabels());
    assertEquals(Set.of(ports.get("xds"), ports.get("ratelimit"), ports.get("extauth")), policy.getSpec().getIngress()
        .get(0).getPorts().stream().map(p -> p.getPort().getIntVal()).collect(Collectors.toSet()));
    var clients = policy.getSpec().getIngress().get(0).getFrom().get(0).getPodSelector().getMatchExpressions().get(0);
    assertEquals(ProxyProvisioner.APP_LABEL, clients.getKey());
    assertTrue(clients.getValues().contains(ProxyProvisioner.APP), String.valueOf(clients));
    assertEquals(Set.of(ports.get("rl-stream"), ports.get("ea-stream")), policy.getSpec().getIngress().get(1)
        .getPorts().stream().map(p -> p.getPort().getIntVal()).collect(Collectors.toSet()));
    assertTrue(!policy.getSpec().getIngress().get(1).getFrom().get(0).getPodSelector().getMatchExpressions().get(0)
        .getValues().contains(ProxyProvisioner.APP), "proxies never reach the config streams");
    assertEquals(List.of(ports.get("admin")), policy.getSpec().getIngress().get(2).getPorts().stream()
        .map(p -> p.getPort().getIntVal()).toList());
  }

  private static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name) {
    return objects.stream().filter(type::isInstance).map(type::cast).filter(o -> name.equals(o.getMetadata().getName()))
        .findFirst().orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }

  private static <T extends HasMetadata> T single(List<HasMetadata> objects, Class<T> type) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertEquals(1, found.size(), type.getSimpleName() + " objects");
    return found.get(0);
  }
}
