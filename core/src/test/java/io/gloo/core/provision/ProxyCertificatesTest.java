package io.gloo.core.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.gloo.core.report.Reporter;
import io.gloo.core.security.CertificateAuthority;
import io.gloo.core.security.SpiffeId;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.testing.ManualClock;
import io.gloo.core.testing.Manifests;
import io.gloo.core.testing.MockKube;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provisioned proxy's xDS client certificate: a Secret for that Gateway's identity only, mounted into the proxy
 * and named by its bootstrap, renewed at two thirds of its lifetime (an injected clock moves time), which rolls the
 * proxy; deleted when the Gateway leaves our class. Against fabric8's mock API server in CRUD mode.
 */
class ProxyCertificatesTest {

  private static final Duration WAIT = Duration.ofSeconds(60); // a bound on waiting, not a performance target (#19)
  private static final Duration LIFETIME = Duration.ofMinutes(30);
  private static final String SECRET = "gloo-proxy-gw-xds-tls";

  @TempDir
  Path state;

  private KubernetesMockServer api;
  private KubernetesClient admin;
  private ProxyProvisioner provisioner;
  private CertificateAuthority ca;
  private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));

  @BeforeEach
  void start() throws Exception {
    api = MockKube.start();
    admin = api.createClient();
    ca = CertificateAuthority.loadOrCreate(state).withClock(clock);
    provisioner = new ProxyProvisioner(api.createClient(), new Reporter(),
        ProxyProvisioner.Options.defaults("gloo-system")
            .withCertificates(new ProxyCertificates.Policy(ca, LIFETIME, clock)), Set.of());
    provisioner.setLeader(true);
  }

  @AfterEach
  void stop() {
    provisioner.close();
    admin.close();
    api.destroy();
  }

  @Test
  void eachProxyGetsItsOwnCertificateRenewedAtTwoThirdsOfItsLifetime() throws Exception {
    ResourceSnapshot snapshot = seed();
    pass(snapshot);

    Secret secret = secret();
    assertNotNull(secret, "no certificate Secret");
    assertEquals("kubernetes.io/tls", secret.getType());
    assertEquals("gw", secret.getMetadata().getLabels().get(ProxyProvisioner.GATEWAY_NAME_LABEL));
    assertEquals("Gateway", secret.getMetadata().getOwnerReferences().get(0).getKind());
    X509Certificate first = certificate(secret);
    assertEquals(SpiffeId.gateway("default", "gw"), SpiffeId.fromCertificate(first).orElseThrow());
    assertEquals(ca.caCertificatePem(), decode(secret, "ca.crt"));
    assertEquals(clock.instant().plus(LIFETIME), first.getNotAfter().toInstant());

    // mounted into the proxy and named by its bootstrap
    Deployment deployment = deployment();
    var pod = deployment.getSpec().getTemplate().getSpec();
    var volume = pod.getVolumes().stream().filter(v -> v.getSecret() != null).findFirst().orElseThrow();
    assertEquals(SECRET, volume.getSecret().getSecretName());
    assertEquals(0440, volume.getSecret().getDefaultMode());
    assertEquals(ProxyProvisioner.PROXY_UID, pod.getSecurityContext().getFsGroup());
    assertTrue(pod.getContainers().get(0).getVolumeMounts().stream().anyMatch(m ->
        m.getName().equals(volume.getName()) && m.getMountPath().equals("/etc/gloo/xds-tls") && m.getReadOnly()));
    String bootstrap = configMap().getData().get(ProxyProvisioner.BOOTSTRAP_KEY);
    assertTrue(bootstrap.contains("filename: /etc/gloo/xds-tls/tls.key"), bootstrap);
    assertTrue(bootstrap.contains("envoy.transport_sockets.tls"), bootstrap);
    assertTrue(!bootstrap.contains("PRIVATE KEY"), "the key stays in the Secret");
    String firstHash = podCertHash();
    assertNotNull(firstHash);

    // Before two thirds of the lifetime: nothing is renewed or written.
    long writes = provisioner.writes();
    clock.advance(LIFETIME.multipliedBy(2).dividedBy(3).minusSeconds(1));
    pass(snapshot);
    assertEquals(writes, provisioner.writes());
    assertEquals(first, certificate(secret()));

    // At two thirds: a new certificate, and the proxies roll to it.
    clock.advance(Duration.ofSeconds(1));
    pass(snapshot);
    X509Certificate second = certificate(secret());
    assertNotEquals(first, second);
    assertEquals(clock.instant().plus(LIFETIME), second.getNotAfter().toInstant());
    assertNotEquals(firstHash, podCertHash());
  }

  @Test
  void aSecretNotFromOurCaIsReplacedAndLeavingOurClassDeletesIt() throws Exception {
    ResourceSnapshot snapshot = seed();
    CertificateAuthority other = CertificateAuthority.loadOrCreate(state.resolve("other"));
    pass(snapshot);
    Secret secret = secret();
    secret.getData().put("ca.crt", Base64.getEncoder().encodeToString(
        other.caCertificatePem().getBytes(StandardCharsets.US_ASCII)));
    admin.resource(secret).update();
    provisioner.setLeader(false);
    provisioner.setLeader(true); // a new leader reads every Secret again
    pass(snapshot);
    assertEquals(ca.caCertificatePem(), decode(secret(), "ca.crt"));

    Gateway gw = admin.resources(Gateway.class).inNamespace("default").withName("gw").get();
    gw.getSpec().setGatewayClassName("other-class");
    pass(ResourceSnapshot.of(List.of(gatewayClass(), gw), List.of()));
    await(() -> secret() == null && deployment() == null);
  }

  // --- helpers ---

  private ResourceSnapshot seed() {
    admin.resource(Manifests.gatewayClass()).create();
    admin.resource(Manifests.gateway("default", "gw", 8080)).create();
    Gateway gw = admin.resources(Gateway.class).inNamespace("default").withName("gw").get();
    return ResourceSnapshot.of(List.<HasMetadata>of(gatewayClass(), gw), List.of());
  }

  private GatewayClass gatewayClass() {
    return admin.resources(GatewayClass.class).withName("gloo-gateway").get();
  }

  /** Hands the provisioner a snapshot and waits until it has acted on it. */
  private void pass(ResourceSnapshot snapshot) throws InterruptedException {
    provisioner.update(snapshot);
    await(provisioner::idle);
    assertEquals(0, provisioner.failures());
  }

  private Secret secret() {
    return admin.secrets().inNamespace("default").withName(SECRET).get();
  }

  private Deployment deployment() {
    return admin.apps().deployments().inNamespace("default").withName("gloo-proxy-gw").get();
  }

  private ConfigMap configMap() {
    return admin.configMaps().inNamespace("default").withName("gloo-proxy-gw").get();
  }

  private String podCertHash() {
    return deployment().getSpec().getTemplate().getMetadata().getAnnotations()
        .get(ProxyCertificates.CERT_HASH_ANNOTATION);
  }

  private static String decode(Secret secret, String key) {
    return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.US_ASCII);
  }

  private static X509Certificate certificate(Secret secret) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
        new ByteArrayInputStream(decode(secret, "tls.crt").getBytes(StandardCharsets.US_ASCII)));
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    io.gloo.core.testing.Await.until(WAIT, condition, () -> "certificate Secrets");
  }
}
