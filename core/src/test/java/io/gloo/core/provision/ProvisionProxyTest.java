package io.gloo.core.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.gloo.core.server.GlooServer;
import io.gloo.core.server.LeaderElection;
import io.gloo.core.server.ServeOptions;
import io.gloo.core.testing.Manifests;
import io.gloo.core.testing.MockKube;
import io.gloo.core.xds.BootstrapGenerator;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ProxyProvisioner} inside {@code gloo serve} against fabric8's mock API server in CRUD mode: a Gateway of our
 * class gets its ServiceAccount, ConfigMap (bootstrap), Deployment (Envoy) and Service, owned by the Gateway; a
 * listener port change updates them; the Service's address becomes the Gateway's {@code status.addresses}; a Gateway
 * leaving our class loses them; and a replica that does not hold the lease provisions nothing.
 */
class ProvisionProxyTest {

  private static final Duration WAIT = Duration.ofSeconds(60); // a bound on waiting, not a performance target (#19)
  private static final String NAME = "gloo-proxy-gw";

  private KubernetesMockServer api;
  private KubernetesClient admin;
  private final List<GlooServer> servers = new ArrayList<>();

  @BeforeEach
  void startApi() {
    api = MockKube.start();
    admin = api.createClient();
  }

  @AfterEach
  void stop() {
    for (GlooServer s : servers) {
      s.close();
    }
    admin.close();
    api.destroy();
  }

  private GlooServer serve(ServeOptions.Kubernetes kube) throws Exception {
    GlooServer server = GlooServer.start(new ServeOptions(null, new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(50)).withKubernetes(kube));
    servers.add(server);
    return server;
  }

  private static ProxyProvisioner.Options provisioning() {
    return ProxyProvisioner.Options.defaults("gloo-system").withEnvoyImage("envoyproxy/envoy:test");
  }

  private void seed() {
    admin.resource(Manifests.gatewayClass()).create();
    admin.resource(Manifests.gateway("default", "gw", 8080)).create();
  }

  @Test
  void aGatewayOfOurClassGetsItsProxyObjectsOwnedByTheGateway() throws Exception {
    seed();
    GlooServer server = serve(ServeOptions.Kubernetes.of(api.createClient(), null, "test").withSyncTimeout(WAIT)
        .withProvisioning(provisioning()));
    await(() -> deployment() != null && service() != null && account() != null && configMap() != null,
        () -> "objects: " + deployment() + " " + service() + " " + account() + " " + configMap());
    Gateway gw = gateway("gw");
    assertNotNull(gw.getMetadata().getUid());

    for (HasMetadata object : List.of(deployment(), service(), account(), configMap())) {
      String what = object.getKind();
      assertEquals("default", object.getMetadata().getNamespace(), what);
      assertEquals("gw", object.getMetadata().getLabels().get(ProxyProvisioner.GATEWAY_NAME_LABEL), what);
      assertEquals(1, object.getMetadata().getOwnerReferences().size(), what);
      OwnerReference owner = object.getMetadata().getOwnerReferences().get(0);
      assertEquals("gateway.networking.k8s.io/v1", owner.getApiVersion(), what);
      assertEquals("Gateway", owner.getKind(), what);
      assertEquals("gw", owner.getName(), what);
      assertEquals(gw.getMetadata().getUid(), owner.getUid(), what);
      assertEquals(Boolean.TRUE, owner.getController(), what);
      assertEquals(Boolean.TRUE, owner.getBlockOwnerDeletion(), what);
    }

    // The bootstrap points the Gateway's node at the control plane's xDS Service.
    String bootstrap = configMap().getData().get(ProxyProvisioner.BOOTSTRAP_KEY);
    assertTrue(bootstrap.contains("gloo-gateway.gloo-system.svc.cluster.local"), bootstrap);
    assertTrue(bootstrap.contains("port_value: 9977"), bootstrap);
    assertTrue(bootstrap.contains("gloo-proxy~default~gw"), bootstrap);
    assertTrue(bootstrap.contains("default/gw"), bootstrap);
    assertTrue(bootstrap.contains("port_value: " + BootstrapGenerator.READINESS_PORT), bootstrap);

    Deployment deployment = deployment();
    var pod = deployment.getSpec().getTemplate().getSpec();
    assertEquals(NAME, pod.getServiceAccountName());
    assertEquals(deployment.getSpec().getSelector().getMatchLabels().entrySet().stream()
        .allMatch(e -> e.getValue().equals(deployment.getSpec().getTemplate().getMetadata().getLabels()
            .get(e.getKey()))), true);
    Container envoy = pod.getContainers().get(0);
    assertEquals("envoyproxy/envoy:test", envoy.getImage());
    assertEquals(List.of("-c", "/etc/envoy/envoy.yaml"), envoy.getArgs().subList(0, 2));
    assertEquals(List.of(8080, BootstrapGenerator.READINESS_PORT),
        envoy.getPorts().stream().map(p -> p.getContainerPort()).toList());
    assertEquals("/ready", envoy.getReadinessProbe().getHttpGet().getPath());
    assertEquals(BootstrapGenerator.READINESS_PORT,
        envoy.getReadinessProbe().getHttpGet().getPort().getIntVal());
    assertEquals("/etc/envoy", envoy.getVolumeMounts().get(0).getMountPath());
    assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
    assertEquals(List.of(), pod.getSecurityContext().getSysctls(), "no privileged port");
    assertEquals(NAME, pod.getVolumes().get(0).getConfigMap().getName());

    Service service = service();
    assertEquals("LoadBalancer", service.getSpec().getType());
    assertEquals(deployment.getSpec().getSelector().getMatchLabels(), service.getSpec().getSelector());
    assertEquals(List.of("8080->8080"), ports(service));

    // Idempotent: nothing more is written while nothing changes.
    await(() -> server.provisioner().idle(), () -> "provisioner busy");
    long writes = server.provisioner().writes();
    assertEquals(4, writes);
    server.provisioner().setLeader(false);
    server.provisioner().setLeader(true); // a new leader checks everything again, and finds nothing to do
    Thread.sleep(300);
    await(() -> server.provisioner().idle(), () -> "provisioner busy");
    assertEquals(writes, server.provisioner().writes());
    assertEquals(0, server.provisioner().failures());
    assertEquals(0, server.statusWriter().failures());
  }

  @Test
  void aListenerPortChangeUpdatesTheProxyAndLeavingOurClassDeletesIt() throws Exception {
    seed();
    GlooServer server = serve(ServeOptions.Kubernetes.of(api.createClient(), null, "test").withSyncTimeout(WAIT)
        .withProvisioning(provisioning()));
    await(() -> service() != null && deployment() != null, () -> "not provisioned");
    String serviceUid = service().getMetadata().getUid();

    admin.resources(Gateway.class).inNamespace("default").withName("gw").edit(g -> {
      g.getSpec().getListeners().get(0).setPort(9090);
      return g;
    });
    await(() -> ports(service()).equals(List.of("9090->9090")), () -> String.valueOf(ports(service())));
    // A privileged port: the non-root proxy may bind it through the namespaced sysctl.
    admin.resources(Gateway.class).inNamespace("default").withName("gw").edit(g -> {
      g.getSpec().getListeners().get(0).setPort(80);
      return g;
    });
    await(() -> ports(service()).equals(List.of("80->80")), () -> String.valueOf(ports(service())));
    await(() -> deployment().getSpec().getTemplate().getSpec().getSecurityContext().getSysctls().stream()
            .anyMatch(c -> c.getName().equals("net.ipv4.ip_unprivileged_port_start") && c.getValue().equals("0")),
        () -> String.valueOf(deployment().getSpec().getTemplate().getSpec().getSecurityContext()));
    admin.resources(Gateway.class).inNamespace("default").withName("gw").edit(g -> {
      g.getSpec().getListeners().get(0).setPort(9090);
      return g;
    });
    await(() -> ports(service()).equals(List.of("9090->9090")), () -> String.valueOf(ports(service())));
    assertEquals(serviceUid, service().getMetadata().getUid(), "updated in place, not re-created");
    await(() -> deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().stream()
            .anyMatch(p -> p.getContainerPort() == 9090),
        () -> String.valueOf(deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getPorts()));

    // The Gateway moves to another controller's class: its proxy goes.
    admin.resources(Gateway.class).inNamespace("default").withName("gw").edit(g -> {
      g.getSpec().setGatewayClassName("other-class");
      return g;
    });
    await(() -> deployment() == null && service() == null && account() == null && configMap() == null,
        () -> "still there: " + deployment() + " " + service() + " " + account() + " " + configMap());
    assertEquals(0, server.provisioner().failures());
  }

  @Test
  void theGatewayStatusShowsTheServiceAddress() throws Exception {
    seed();
    GlooServer server = serve(ServeOptions.Kubernetes.of(api.createClient(), null, "test").withSyncTimeout(WAIT)
        .withProvisioning(provisioning()));
    await(() -> service() != null, () -> "no Service");

    // The cloud's load balancer gets an address.
    Service service = service();
    service.setStatus(new io.fabric8.kubernetes.api.model.ServiceStatusBuilder().withNewLoadBalancer()
        .withIngress(new LoadBalancerIngressBuilder().withIp("203.0.113.7").build()).endLoadBalancer().build());
    admin.resource(service).updateStatus();
    await(() -> addresses(gateway("gw")).equals(List.of("IPAddress 203.0.113.7")),
        () -> String.valueOf(gateway("gw").getStatus()));

    // A host name instead (e.g. an AWS load balancer).
    Service again = service();
    again.getStatus().getLoadBalancer().setIngress(List.of(new LoadBalancerIngressBuilder()
        .withHostname("lb.example.com").build()));
    admin.resource(again).updateStatus();
    await(() -> addresses(gateway("gw")).equals(List.of("Hostname lb.example.com")),
        () -> String.valueOf(gateway("gw").getStatus()));
    // Written together with the rest of the status (one writer).
    assertTrue(gateway("gw").getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Accepted")));
    assertEquals(0, server.statusWriter().failures());
  }

  @Test
  void listenerPortsOutsideThePortRangeAreNotProvisioned() {
    io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway gateway = new io.fabric8.kubernetes.client.utils
        .KubernetesSerialization().unmarshal(Manifests.gateway("default", "gw", 8080),
            io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway.class);
    for (int port : new int[] {-5, 0, 70000}) {
      gateway.getSpec().getListeners().add(new io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerBuilder()
          .withName("bad" + (port & 0xffff)).withProtocol("HTTP").withPort(port).build());
    }
    try (ProxyProvisioner provisioner = new ProxyProvisioner(admin, new io.gloo.core.report.Reporter(),
        provisioning(), java.util.Set.of())) {
      ProxyObjects.Desired desired = provisioner.desired(gateway);
      assertEquals(List.of(8080), desired.service().getSpec().getPorts().stream()
          .map(io.fabric8.kubernetes.api.model.ServicePort::getPort).toList());
    }
  }

  @Test
  void aClusterIpIsTheAddressWithoutALoadBalancer() {
    Service service = new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata().withName(NAME)
        .endMetadata().withNewSpec().withType("ClusterIP").withClusterIP("10.96.0.12").endSpec().build();
    List<GatewayStatusAddress> addresses = GatewayAddresses.addressesOf(service);
    assertEquals(1, addresses.size());
    assertEquals("IPAddress", addresses.get(0).getType());
    assertEquals("10.96.0.12", addresses.get(0).getValue());
    service.getSpec().setClusterIP("None");
    assertEquals(List.of(), GatewayAddresses.addressesOf(service));
  }

  @Test
  void aFollowerDoesNotProvision() throws Exception {
    seed();
    // Another replica holds the lease for an hour.
    Lease lease = new LeaseBuilder().withNewMetadata().withName(LeaderElection.LEASE_NAME).withNamespace("gloo-system")
        .endMetadata().withNewSpec().withHolderIdentity("replica-elsewhere").withLeaseDurationSeconds(3600)
        .withAcquireTime(ZonedDateTime.now()).withRenewTime(ZonedDateTime.now()).withLeaseTransitions(0)
        .endSpec().build();
    admin.resource(lease).create();
    LeaderElection.Timings fast = new LeaderElection.Timings(Duration.ofSeconds(2), Duration.ofMillis(1500),
        Duration.ofMillis(200));
    GlooServer follower = serve(ServeOptions.Kubernetes.of(api.createClient(), "gloo-system", "replica-b")
        .withTimings(fast).withSyncTimeout(WAIT).withProvisioning(provisioning()));
    Thread.sleep(2_000); // several retry periods: it stays a follower
    assertFalse(follower.leaderElection().isLeader());
    assertFalse(follower.provisioner().isLeader());
    assertNull(deployment());
    assertNull(service());
    assertNull(account());
    assertNull(configMap());
    assertEquals(0, follower.provisioner().writes());

    // Once the lease holder is gone (the Lease expires), the replica leads and provisions.
    admin.resources(Lease.class).inNamespace("gloo-system").withName(LeaderElection.LEASE_NAME).edit(l -> {
      l.getSpec().setRenewTime(ZonedDateTime.now().minusHours(2));
      l.getSpec().setLeaseDurationSeconds(1);
      return l;
    });
    await(() -> follower.provisioner().isLeader() && deployment() != null && service() != null,
        () -> "no takeover: leader=" + follower.leaderElection().isLeader());
  }

  // ---- helpers

  private static List<String> ports(Service service) {
    List<String> result = new ArrayList<>();
    for (ServicePort p : service.getSpec().getPorts()) {
      result.add(p.getPort() + "->" + p.getTargetPort().getIntVal());
    }
    return result;
  }

  private static List<String> addresses(Gateway gateway) {
    if (gateway.getStatus() == null || gateway.getStatus().getAddresses() == null) {
      return List.of();
    }
    return gateway.getStatus().getAddresses().stream().map(a -> a.getType() + " " + a.getValue()).toList();
  }

  private Gateway gateway(String name) {
    return admin.resources(Gateway.class).inNamespace("default").withName(name).get();
  }

  private Deployment deployment() {
    return admin.apps().deployments().inNamespace("default").withName(NAME).get();
  }

  private Service service() {
    return admin.services().inNamespace("default").withName(NAME).get();
  }

  private ServiceAccount account() {
    return admin.serviceAccounts().inNamespace("default").withName(NAME).get();
  }

  private ConfigMap configMap() {
    return admin.configMaps().inNamespace("default").withName(NAME).get();
  }

  private static void await(BooleanSupplier condition, Supplier<String> describe) throws InterruptedException {
    io.gloo.core.testing.Await.until(WAIT, () -> safely(condition), describe);
  }

  private static boolean safely(BooleanSupplier condition) {
    try {
      return condition.getAsBoolean();
    } catch (RuntimeException e) {
      return false;
    }
  }
}
