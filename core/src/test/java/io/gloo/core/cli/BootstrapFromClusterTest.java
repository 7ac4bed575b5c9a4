package io.gloo.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.gloo.core.cli.CliTest.Run;
import io.gloo.core.security.CertificateAuthority;
import io.gloo.core.testing.MockKube;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gloo bootstrap} and {@code gloo certs issue} in Kubernetes mode: the CA is read from the Secret
 * {@code gloo-ca} that {@code gloo serve} created, against fabric8's mock API server in CRUD mode, and never
 * created by the tool.
 */
class BootstrapFromClusterTest {

  static {
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
  }

  @TempDir
  Path root;

  private KubernetesMockServer api;
  private KubernetesClient client;
  private Path kubeconfig;

  @BeforeEach
  void startApi() throws Exception {
    api = MockKube.start();
    client = api.createClient();
    kubeconfig = root.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster:
            server: %s
        users:
        - name: tester
          user:
            token: not-a-secret
        contexts:
        - name: mock
          context:
            cluster: mock
            user: tester
            namespace: team-a
        current-context: mock
        """.formatted(api.url("/")));
  }

  @AfterEach
  void stop() {
    client.close();
    api.destroy();
  }

  @Test
  void bootstrapIssuesFromTheCaSecretGlooServeCreated() throws Exception {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(client, "gloo-system");
    Path out = root.resolve("envoy");
    Run run = CliTest.run("bootstrap", "--kubeconfig", kubeconfig.toString(), "--ca-namespace", "gloo-system",
        "--gateway", "default/http", "--xds-address", "gloo-gateway.gloo-system.svc:9977", "--out-dir",
        out.toString());
    assertEquals(0, run.exit(), run.err());
    assertEquals(ca.caCertificatePem(), Files.readString(out.resolve("ca.crt")));
    X509Certificate leaf = certificate(Files.readString(out.resolve("tls.crt")));
    leaf.verify(certificate(ca.caCertificatePem()).getPublicKey());
    assertTrue(leaf.getSubjectAlternativeNames().toString().contains("spiffe://gloo/ns/default/gateway/http"));
  }

  @Test
  void certsIssueReadsTheSecretInTheKubeconfigsNamespaceByDefault() throws Exception {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(client, "team-a");
    Path out = root.resolve("rls");
    Run run = CliTest.run("certs", "issue", "--for", "ratelimit-server", "--kubeconfig", kubeconfig.toString(),
        "--out-dir", out.toString());
    assertEquals(0, run.exit(), run.err());
    assertEquals(ca.caCertificatePem(), Files.readString(out.resolve("ca.crt")));
  }

  @Test
  void withoutTheSecretTheToolSaysWhereItLookedAndCreatesNothing() throws Exception {
    Run run = CliTest.run("bootstrap", "--kubeconfig", kubeconfig.toString(), "--ca-namespace", "gloo-system",
        "--gateway", "default/http", "--out-dir", root.resolve("envoy").toString());
    assertEquals(2, run.exit());
    assertEquals(1, run.err().strip().lines().count(), run.err());
    assertTrue(run.err().contains("Secret gloo-system/gloo-ca (the CA) does not exist"), run.err());
    assertNull(client.secrets().inNamespace("gloo-system").withName("gloo-ca").get(), "the tool created a CA");
    assertFalse(Files.exists(root.resolve("envoy")));

    Run both = CliTest.run("bootstrap", "--kubeconfig", kubeconfig.toString(), "--state-dir",
        root.resolve("state").toString(), "--gateway", "default/http");
    assertEquals(2, both.exit());
    assertTrue(both.err().contains("not both"), both.err());
    assertFalse(both.err().contains("not-a-secret"));
  }

  private static X509Certificate certificate(String pem) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }
}
