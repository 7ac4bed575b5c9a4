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
import java.util.Set;
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

    assertEquals(rules(single(install, ClusterRole.class).getRules()),
        rules(single(chart, ClusterRole.class).getRules()));
    assertEquals(rules(single(install, Role.class).getRules()), rules(single(chart, Role.class).getRules()));
    assertTrue(rules(single(chart, ClusterRole.class).getRules()).containsAll(List.of(
        "apps/deployments create", "apps/deployments update", "apps/deployments delete", "/services create",
        "/serviceaccounts create", "/configmaps create", "gateway.networking.k8s.io/gateways/finalizers update")),
        "provisioning needs these");
    for (Class<? extends HasMetadata> binding : List.of(ClusterRoleBinding.class, RoleBinding.class)) {
      assertEquals(SERIALIZATION.asJson(single(install, binding)).replaceAll("\"labels\":\\{[^}]*}", ""),
          SERIALIZATION.asJson(single(chart, binding)).replaceAll("\"labels\":\\{[^}]*}", ""), binding.getName());
    }
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
    assertEquals(Set.of(9977, 9091, 18081, 8083), gs.getSpec().getPorts().stream().map(p -> p.getPort())
        .collect(Collectors.toSet()));
  }

  @Test
  void valuesTurnProvisioningAndLeaderElectionOffAndTheNamespaceIsTheRelease() {
    List<HasMetadata> chart = render(t -> t.withNamespace("edge").set("provisioning.enabled", false)
        .set("leaderElection.enabled", false).set("provisioning.envoyImage", "ignored"));
    assertFalse(ids(chart).stream().anyMatch(id -> id.startsWith("Namespace ")), "no Namespace by default");
    assertFalse(ids(chart).stream().anyMatch(id -> id.startsWith("Role ") || id.startsWith("RoleBinding ")));
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
}
