package io.gloo.core.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The Helm chart {@code dist/src/helm/gloo-gateway}, rendered by Helm's own engine (helm-java): with its defaults in
 * namespace gloo-system it renders the objects of {@code dist/src/install/gloo-gateway.yaml} — same kinds and names,
 * the same RBAC rules, ports, probes, selectors and service account — and its {@code crds/} are the install's CRDs.
 */
class HelmChartTest {

  private static final Path CHART = Paths.get("..", "dist", "src", "helm", "gloo-gateway");
  private static final Path INSTALL = Paths.get("..", "dist", "src", "install");
  private static final YAMLMapper YAML = YAMLMapper.builder().build();
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      for (JsonNode doc : it.readAll()) {
        if (doc != null && doc.isObject() && doc.has("kind")) {
          objects.add(SERIALIZATION.unmarshal(doc.toString()));
        }
      }
    }
    return objects;
  }

  private static List<HasMetadata> render(UnaryOperator<com.marcnuri.helm.TemplateCommand> options) {
    String rendered = options.apply(new Helm(CHART.toAbsolutePath()).template()
        .withName("gloo").withNamespace("gloo-system")).call();
    return parse(rendered);
  }

  private static List<HasMetadata> install() throws IOException {
    return parse(Files.readString(INSTALL.resolve("gloo-gateway.yaml")));
  }

  private static Set<String> ids(List<HasMetadata> objects) {
    return objects.stream().map(o -> o.getKind() + " " + o.getMetadata().getNamespace() + "/"
        + o.getMetadata().getName()).collect(Collectors.toCollection(TreeSet::new));
  }

  /** Rules as comparable strings, one per (group, resource, verb). */
  private static Set<String> rules(List<PolicyRule> rules) {
    Set<String> result = new TreeSet<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            result.add(group + "/" + resource + " " + verb);
          }
        }
      }
    }
    return result;
  }

  /** Every Role and ClusterRole, by kind, namespace and name, as its rules (resourceNames included). */
  private static Map<String, Set<String>> grants(List<HasMetadata> objects) {
    Map<String, Set<String>> result = new TreeMap<>();
    for (HasMetadata o : objects) {
      List<PolicyRule> rules = o instanceof Role r ? r.getRules() : o instanceof ClusterRole c ? c.getRules() : null;
      if (rules != null) {
        Set<String> named = new TreeSet<>(rules(rules));
        rules.stream().filter(r -> r.getResourceNames() != null && !r.getResourceNames().isEmpty())
            .forEach(r -> named.add("names " + r.getResources() + " " + r.getResourceNames() + " " + r.getVerbs()));
        result.put(o.getKind() + " " + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName(), named);
      }
    }
    return result;
  }

  /** The bindings of a kind, without their labels. */
  private static Set<String> bindings(List<HasMetadata> objects, Class<? extends HasMetadata> kind) {
    return objects.stream().filter(kind::isInstance)
        .map(b -> SERIALIZATION.asJson(b).replaceAll("\"labels\":\\{[^}]*}", ""))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static <T extends HasMetadata> T single(List<HasMetadata> objects, Class<T> type) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertEquals(1, found.size(), type.getSimpleName() + " objects");
    return found.get(0);
  }

  @Test
  void theChartRendersTheInstallManifestsObjects() throws IOException {
    List<HasMetadata> chart = render(t -> t.set("createNamespace", true));
    List<HasMetadata> install = install();
    assertEquals(ids(install), ids(chart));

    assertEquals(grants(install), grants(chart), "the same rules in the same (Cluster)Roles");
    assertTrue(rules(single(chart, ClusterRole.class).getRules()).containsAll(List.of(
        "apps/deployments create", "apps/deployments update", "apps/deployments delete", "/services create",
        "/serviceaccounts create", "/configmaps create", "gateway.networking.k8s.io/gateways/finalizers update")),
        "provisioning needs these");
    for (Class<? extends HasMetadata> binding : List.of(ClusterRoleBinding.class, RoleBinding.class)) {
      assertEquals(bindings(install, binding), bindings(chart, binding), binding.getName());
    }
    assertEquals(single(install, NetworkPolicy.class).getSpec(), single(chart, NetworkPolicy.class).getSpec());
    assertEquals(single(install, GatewayClass.class).getSpec(), single(chart, GatewayClass.class).getSpec());

    Deployment want = single(install, Deployment.class);
    Deployment got = single(chart, Deployment.class);
    assertEquals(want.getSpec().getSelector(), got.getSpec().getSelector());
    assertEquals(want.getSpec().getReplicas(), got.getSpec().getReplicas());
    assertEquals(want.getSpec().getTemplate().getMetadata().getLabels(),
        got.getSpec().getTemplate().getMetadata().getLabels());
    assertEquals(want.getSpec().getTemplate().getSpec().getServiceAccountName(),
        got.getSpec().getTemplate().getSpec().getServiceAccountName());
    assertEquals(want.getSpec().getTemplate().getSpec().getSecurityContext(),
        got.getSpec().getTemplate().getSpec().getSecurityContext());
    Container w = want.getSpec().getTemplate().getSpec().getContainers().get(0);
    Container g = got.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals(w.getPorts(), g.getPorts());
    assertEquals("/readyz", g.getReadinessProbe().getHttpGet().getPath());
    assertEquals(w.getReadinessProbe(), g.getReadinessProbe());
    assertEquals(w.getLivenessProbe(), g.getLivenessProbe());
    assertEquals(w.getStartupProbe(), g.getStartupProbe());
    assertEquals(w.getEnv(), g.getEnv());
    assertEquals(w.getResources(), g.getResources());
    assertEquals(w.getSecurityContext(), g.getSecurityContext());
    assertEquals(w.getVolumeMounts(), g.getVolumeMounts());
    assertEquals(w.getImage(), g.getImage());
    assertTrue(g.getArgs().containsAll(w.getArgs()), g.getArgs() + " has " + w.getArgs());
    assertTrue(g.getArgs().contains("--xds-service-address=gloo-gateway.gloo-system.svc.cluster.local:9977"),
        String.valueOf(g.getArgs()));

    Service ws = single(install, Service.class);
    Service gs = single(chart, Service.class);
    assertEquals(ws.getSpec(), gs.getSpec());
    assertTrue(g.getArgs().contains(
        "--plugin-config=ratelimit.serviceAddress=gloo-gateway.gloo-system.svc.cluster.local:18081"),
        String.valueOf(g.getArgs()));
    assertEquals(Set.of(9977, 9091, 18081, 8083, 18082, 8084), gs.getSpec().getPorts().stream().map(p -> p.getPort())
        .collect(Collectors.toSet()));
  }

  @Test
  void valuesTurnProvisioningAndLeaderElectionOffAndTheNamespaceIsTheRelease() {
    List<HasMetadata> chart = render(t -> t.withNamespace("edge").set("provisioning.enabled", false)
        .set("leaderElection.enabled", false).set("provisioning.envoyImage", "ignored"));
    assertFalse(ids(chart).stream().anyMatch(id -> id.startsWith("Namespace ")), "no Namespace by default");
    assertEquals(Set.of("Role edge/gloo-gateway-ca", "RoleBinding edge/gloo-gateway-ca"), ids(chart).stream()
        .filter(id -> id.startsWith("Role")).collect(Collectors.toSet()), "no Lease rights without leader election");
    assertEquals(Set.of(), clusterWideWritesOnWorkloads(chart), "no provisioning rights without provisioning");
    Deployment d = single(chart, Deployment.class);
    assertEquals("edge", d.getMetadata().getNamespace());
    List<String> args = d.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
    assertTrue(args.contains("--no-provisioning") && args.contains("--no-leader-election"), String.valueOf(args));
    assertFalse(args.stream().anyMatch(a -> a.startsWith("--envoy-image")), String.valueOf(args));
    assertEquals("edge", single(chart, ClusterRoleBinding.class).getSubjects().get(0).getNamespace());

    List<String> custom = single(render(t -> t.set("provisioning.envoyImage", "envoyproxy/envoy:v1.34.0")
        .set("provisioning.serviceType", "NodePort")), Deployment.class)
        .getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
    assertTrue(custom.contains("--envoy-image=envoyproxy/envoy:v1.34.0")
        && custom.contains("--proxy-service-type=NodePort"), String.valueOf(custom));
  }

  @Test
  void monitoringValuesRenderTheDashboardServiceMonitorAndAlerts() throws IOException {
    List<HasMetadata> off = render(t -> t);
    assertTrue(off.stream().noneMatch(o -> o.getApiVersion().startsWith("monitoring.coreos.com")
        || o.getMetadata().getName().endsWith("-dashboard")), "monitoring is off by default");
    List<HasMetadata> on = render(t -> t.set("monitoring.dashboard.enabled", true)
        .set("monitoring.serviceMonitor.enabled", true).set("monitoring.prometheusRule.enabled", true));
    io.fabric8.kubernetes.api.model.ConfigMap dashboard = on.stream()
        .filter(io.fabric8.kubernetes.api.model.ConfigMap.class::isInstance)
        .map(io.fabric8.kubernetes.api.model.ConfigMap.class::cast)
        .filter(c -> c.getMetadata().getName().equals("gloo-gateway-dashboard")).findFirst().orElseThrow();
    assertEquals("1", dashboard.getMetadata().getLabels().get("grafana_dashboard"));
    String json = dashboard.getData().get("gloo-control-plane.json");
    tools.jackson.databind.ObjectMapper mapper = io.gloo.core.translate.TranslationJson.mapper();
    assertEquals(mapper.readTree(Files.readString(CHART.resolve("dashboards/gloo-control-plane.json"))),
        mapper.readTree(json), "the ConfigMap carries the dashboard file as it is");
    HasMetadata serviceMonitor = on.stream().filter(o -> o.getKind().equals("ServiceMonitor")).findFirst()
        .orElseThrow();
    String monitor = SERIALIZATION.asJson(serviceMonitor);
    assertTrue(monitor.contains("\"port\":\"http-admin\"") && monitor.contains("\"path\":\"/metrics\""), monitor);
    HasMetadata rule = on.stream().filter(o -> o.getKind().equals("PrometheusRule")).findFirst().orElseThrow();
    String rules = SERIALIZATION.asJson(rule);
    for (String alert : List.of("GlooProxiesNacking", "GlooConfigNotConverging", "GlooControlPlaneNearMemoryLimit")) {
      assertTrue(rules.contains("\"alert\":\"" + alert + "\""), alert + " in " + rules);
    }
  }

  @Test
  void theChartsCrdsAreTheInstallCrds() throws IOException {
    assertNotNull(new Helm(CHART.toAbsolutePath()).show().chart().call());
    Set<String> names = new TreeSet<>();
    try (Stream<Path> files = Files.list(INSTALL.resolve("crds"))) {
      for (Path file : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        names.add(file.getFileName().toString());
        assertEquals(Files.readString(file), Files.readString(CHART.resolve("crds").resolve(file.getFileName())),
            file.getFileName().toString());
      }
    }
    try (Stream<Path> files = Files.list(CHART.resolve("crds"))) {
      assertEquals(names, files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new)));
    }
  }

  @Test
  void aRedisAddressMakesEveryReplicaCountInRedis() {
    List<HasMetadata> chart = render(t -> t.set("rateLimit.redisAddress", "redis.gloo-system:6379")
        .set("rateLimit.redisFailMode", "closed"));
    List<String> args = single(chart, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0)
        .getArgs();
    assertTrue(args.containsAll(List.of("--plugin-config=ratelimit.store=redis",
        "--plugin-config=ratelimit.redis.address=redis.gloo-system:6379",
        "--plugin-config=ratelimit.redis.failMode=closed")), String.valueOf(args));
    List<String> defaults = single(render(t -> t), Deployment.class).getSpec().getTemplate().getSpec().getContainers()
        .get(0).getArgs();
    assertFalse(defaults.stream().anyMatch(a -> a.contains("ratelimit.store")), String.valueOf(defaults));
  }

  private static final Set<String> WORKLOADS = Set.of("apps/deployments", "/services", "/secrets", "/configmaps",
      "/serviceaccounts");
  private static final Set<String> WRITES = Set.of("create", "update", "patch", "delete", "deletecollection");

  /** Write grants on the core workload kinds in cluster-wide roles, as "ClusterRole name: resource verb". */
  private static Set<String> clusterWideWritesOnWorkloads(List<HasMetadata> objects) {
    Set<String> found = new TreeSet<>();
    for (ClusterRole role : objects.stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast)
        .toList()) {
      for (String grant : rules(role.getRules())) {
        String[] resourceVerb = grant.split(" ");
        if (WORKLOADS.contains(resourceVerb[0]) && WRITES.contains(resourceVerb[1])) {
          found.add("ClusterRole " + role.getMetadata().getName() + ": " + grant);
        }
      }
    }
    return found;
  }

  private static List<PolicyRule> allRules(List<HasMetadata> objects) {
    List<PolicyRule> rules = new ArrayList<>();
    for (HasMetadata o : objects) {
      if (o instanceof Role r) {
        rules.addAll(r.getRules());
      } else if (o instanceof ClusterRole c) {
        rules.addAll(c.getRules());
      }
    }
    return rules;
  }

  @Test
  void noWildcardVerbsResourcesOrGroupsInAnyRendering() throws IOException {
    List<List<HasMetadata>> renderings = List.of(install(), render(t -> t),
        render(t -> t.set("watchNamespaces[0]", "a").set("watchNamespaces[1]", "b")),
        render(t -> t.set("provisioning.enabled", false).set("leaderElection.enabled", false)));
    for (List<HasMetadata> objects : renderings) {
      List<PolicyRule> rules = allRules(objects);
      assertTrue(rules.size() > 5, String.valueOf(rules));
      for (PolicyRule rule : rules) {
        for (List<String> values : List.of(rule.getVerbs(), rule.getResources(), rule.getApiGroups())) {
          assertFalse(values.stream().anyMatch(v -> v.contains("*")), "wildcard in " + rule);
        }
        assertFalse(rule.getVerbs().contains("escalate") || rule.getVerbs().contains("bind")
            || rule.getVerbs().contains("impersonate"), String.valueOf(rule));
      }
    }
  }

  @Test
  void watchNamespacesGrantRolesInThoseNamespacesAndNoClusterWideWrites() {
    List<HasMetadata> chart = render(t -> t.set("watchNamespaces[0]", "team-a").set("watchNamespaces[1]", "team-b"));
    // cluster-wide: only the cluster-scoped kinds
    assertEquals(Set.of("gateway.networking.k8s.io/gatewayclasses get", "gateway.networking.k8s.io/gatewayclasses list",
        "gateway.networking.k8s.io/gatewayclasses watch", "gateway.networking.k8s.io/gatewayclasses/status update",
        "gateway.networking.k8s.io/gatewayclasses/status patch", "/namespaces get", "/namespaces list",
        "/namespaces watch"), rules(single(chart, ClusterRole.class).getRules()));
    assertEquals(Set.of(), clusterWideWritesOnWorkloads(chart), "no cluster-wide workload writes");
    // per watched namespace: a Role with the reads, statuses and provisioning, bound to our service account
    Set<String> everyNamespace = rules(single(render(t -> t), ClusterRole.class).getRules());
    everyNamespace.removeAll(rules(single(chart, ClusterRole.class).getRules()));
    for (String ns : List.of("team-a", "team-b")) {
      Role role = chart.stream().filter(Role.class::isInstance).map(Role.class::cast)
          .filter(r -> ns.equals(r.getMetadata().getNamespace())).findFirst().orElseThrow();
      assertEquals(everyNamespace, rules(role.getRules()), "what the ClusterRole grants on namespaced kinds");
      assertTrue(rules(role.getRules()).containsAll(List.of("apps/deployments create", "/secrets list",
          "gateway.networking.k8s.io/httproutes/status update")), ns);
      RoleBinding binding = chart.stream().filter(RoleBinding.class::isInstance).map(RoleBinding.class::cast)
          .filter(b -> ns.equals(b.getMetadata().getNamespace())).findFirst().orElseThrow();
      assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
      assertEquals("Role", binding.getRoleRef().getKind());
      assertEquals("gloo-system", binding.getSubjects().get(0).getNamespace());
    }
    assertEquals(Set.of("gloo-system", "team-a", "team-b"), chart.stream().filter(Role.class::isInstance)
        .map(o -> o.getMetadata().getNamespace()).collect(Collectors.toSet()));
    List<String> args = single(chart, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0)
        .getArgs();
    assertTrue(args.contains("--watch-namespaces=team-a,team-b"), String.valueOf(args));
    // every namespace: the workload writes are cluster-wide (documented in rbac.yaml), for lack of a fixed list
    assertFalse(clusterWideWritesOnWorkloads(render(t -> t)).isEmpty());
  }

  @Test
  void theCaSecretIsTheOnlySecretTheControlPlaneMayUpdateInItsNamespace() {
    List<HasMetadata> chart = render(t -> t.set("watchNamespaces[0]", "a").set("provisioning.enabled", false));
    Role ca = chart.stream().filter(Role.class::isInstance).map(Role.class::cast)
        .filter(r -> r.getMetadata().getName().equals("gloo-gateway-ca")).findFirst().orElseThrow();
    assertEquals("gloo-system", ca.getMetadata().getNamespace());
    for (PolicyRule rule : ca.getRules()) {
      assertEquals(List.of("secrets"), rule.getResources());
      if (rule.getVerbs().contains("create")) {
        assertEquals(List.of("create"), rule.getVerbs(), "create cannot be limited by name, so it stands alone");
      } else {
        assertEquals(List.of("gloo-ca"), rule.getResourceNames());
        assertEquals(Set.of("get", "update"), Set.copyOf(rule.getVerbs()));
      }
    }
    assertEquals(2, ca.getRules().size());
  }

  @Test
  void theNetworkPolicyAdmitsOnlyProxiesToTheServicePortsAndMonitoringToTheAdminPort() {
    for (boolean limited : List.of(false, true)) {
      List<HasMetadata> chart = render(t -> limited ? t.set("watchNamespaces[0]", "a") : t);
      NetworkPolicy policy = single(chart, NetworkPolicy.class);
      Deployment d = single(chart, Deployment.class);
      assertEquals(d.getSpec().getSelector().getMatchLabels(), policy.getSpec().getPodSelector().getMatchLabels());
      assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes());
      List<NetworkPolicyIngressRule> ingress = policy.getSpec().getIngress();
      assertEquals(3, ingress.size());
      NetworkPolicyIngressRule services = ingress.get(0);
      assertEquals(Set.of(9977, 18081, 8083), services.getPorts().stream().map(p -> p.getPort().getIntVal())
          .collect(Collectors.toSet()));
      NetworkPolicyPeer proxies = services.getFrom().get(0);
      assertEquals(1, services.getFrom().size());
      var expression = proxies.getPodSelector().getMatchExpressions().get(0);
      assertEquals(io.gloo.core.provision.ProxyProvisioner.APP_LABEL, expression.getKey());
      assertTrue(expression.getValues().contains(io.gloo.core.provision.ProxyProvisioner.APP), "the proxies' label");
      assertTrue(expression.getValues().containsAll(List.of("gloo-ratelimit-server", "gloo-extauth-server")));
      if (limited) {
        assertEquals(List.of("a", "gloo-system"), proxies.getNamespaceSelector().getMatchExpressions().get(0)
            .getValues());
      } else {
        assertTrue(proxies.getNamespaceSelector().getMatchLabels() == null
            || proxies.getNamespaceSelector().getMatchLabels().isEmpty(), "every namespace");
      }
      NetworkPolicyIngressRule streams = ingress.get(1);
      assertEquals(Set.of(18082, 8084), streams.getPorts().stream().map(p -> p.getPort().getIntVal())
          .collect(Collectors.toSet()));
      List<String> streamClients = streams.getFrom().get(0).getPodSelector().getMatchExpressions().get(0).getValues();
      assertEquals(List.of("gloo-ratelimit-server", "gloo-extauth-server"), streamClients,
          "the config streams admit the standalone replicas only, never the proxies");
      NetworkPolicyIngressRule admin = ingress.get(2);
      assertEquals(List.of(9091), admin.getPorts().stream().map(p -> p.getPort().getIntVal()).toList());
      assertEquals("monitoring", admin.getFrom().get(0).getNamespaceSelector().getMatchLabels()
          .get("kubernetes.io/metadata.name"));
    }
    NetworkPolicy custom = single(render(t -> t.set("networkPolicy.adminFrom[0].ipBlock.cidr", "10.0.0.0/8")),
        NetworkPolicy.class);
    assertEquals("10.0.0.0/8", custom.getSpec().getIngress().get(2).getFrom().get(0).getIpBlock().getCidr());
    assertTrue(render(t -> t.set("networkPolicy.enabled", false)).stream().noneMatch(NetworkPolicy.class::isInstance));
  }

  @Test
  void theAdminDumpsAreWidenedOnlyWithATokenSecret() {
    List<String> defaults = single(render(t -> t), Deployment.class).getSpec().getTemplate().getSpec()
        .getContainers().get(0).getArgs();
    assertFalse(defaults.stream().anyMatch(a -> a.startsWith("--admin-bind")), "loopback by default");
    Deployment widened = single(render(t -> t.set("admin.bind", "0.0.0.0").set("admin.tokenSecret", "admin-token")),
        Deployment.class);
    Container c = widened.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertTrue(c.getArgs().containsAll(List.of("--admin-bind=0.0.0.0",
        "--admin-token-file=/etc/gloo/admin/token")), String.valueOf(c.getArgs()));
    assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/etc/gloo/admin")));
    assertEquals("admin-token", widened.getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getSecret() != null).findFirst().orElseThrow().getSecret().getSecretName());
    IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> render(t -> t.set("admin.bind", "0.0.0.0")));
    assertTrue(refused.getMessage().contains("set admin.tokenSecret"), refused.getMessage());
  }
}
