package io.gloo.core.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.gloo.core.testing.MockKube;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The CA in Kubernetes mode, against fabric8's mock API server in CRUD mode. */
class CaSecretTest {

  private KubernetesMockServer api;
  private final List<KubernetesClient> clients = new ArrayList<>();

  @BeforeEach
  void startApi() {
    api = MockKube.start();
  }

  @AfterEach
  void stop() {
    clients.forEach(KubernetesClient::close);
    api.destroy();
  }

  private KubernetesClient client() {
    KubernetesClient c = api.createClient();
    clients.add(c);
    return c;
  }

  @Test
  void createsTheSecretOnceAndLaterReplicasUseIt() throws Exception {
    CertificateAuthority first = CertificateAuthority.loadOrCreate(client(), "gloo-system");
    Secret secret = client().secrets().inNamespace("gloo-system").withName("gloo-ca").get();
    assertNotNull(secret);
    assertEquals("kubernetes.io/tls", secret.getType());
    assertTrue(secret.getData().keySet().containsAll(List.of("tls.crt", "tls.key", "ca.crt")));

    CertificateAuthority second = CertificateAuthority.loadOrCreate(client(), "gloo-system");
    assertEquals(first.caCertificatePem(), second.caCertificatePem());
    // what one replica issues, a peer trusting the other replica's CA verifies
    CertificateAuthorityTest.verifyChain(
        second.issue(SpiffeId.gateway("default", "gw"), List.of(), Duration.ofHours(1)), first.caCertificatePem());
  }

  @Test
  void racingReplicasConvergeOnOneCa() throws Exception {
    int replicas = 2;
    CyclicBarrier start = new CyclicBarrier(replicas);
    ExecutorService pool = Executors.newFixedThreadPool(replicas);
    try {
      List<Future<CertificateAuthority>> results = new ArrayList<>();
      for (int i = 0; i < replicas; i++) {
        KubernetesClient c = client();
        results.add(pool.submit(() -> {
          start.await(10, TimeUnit.SECONDS);
          return CertificateAuthority.loadOrCreate(c, "gloo-system");
        }));
      }
      String stored = new String(java.util.Base64.getDecoder().decode(
          waitFor(results).get(0)), java.nio.charset.StandardCharsets.US_ASCII);
      for (Future<CertificateAuthority> r : results) {
        assertEquals(stored, r.get(10, TimeUnit.SECONDS).caCertificatePem());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private List<String> waitFor(List<Future<CertificateAuthority>> results) throws Exception {
    for (Future<CertificateAuthority> r : results) {
      r.get(30, TimeUnit.SECONDS);
    }
    return List.of(client().secrets().inNamespace("gloo-system").withName("gloo-ca").get().getData().get("ca.crt"));
  }

  @Test
  void anUnusableSecretIsAClearErrorWithoutKeyMaterial() {
    client().resource(new SecretBuilder().withNewMetadata().withName("gloo-ca").withNamespace("gloo-system")
        .endMetadata().withType("kubernetes.io/tls").withData(Map.of("tls.crt", "bm90IGEgY2VydA==")).build()).create();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> CertificateAuthority.loadOrCreate(client(), "gloo-system"));
    assertEquals("Secret gloo-system/gloo-ca lacks tls.crt or tls.key; delete it to create a new CA", e.getMessage());
  }
}
