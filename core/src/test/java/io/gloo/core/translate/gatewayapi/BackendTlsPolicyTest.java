package io.gloo.core.translate.gatewayapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyAncestorStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyStatus;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.translate.TranslationJson;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.validate.SemanticChecks;
import io.gloo.core.watch.DirectorySource;
import io.gloo.core.watch.KindRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BackendTLSPolicy and the Gateway's backend client certificate, on the golden case {@code backend-tls}. */
class BackendTlsPolicyTest {

  private static final ResourceKey GW = new ResourceKey("Gateway", "default", "gw");

  private static Path input() {
    return GoldenFiles.sourceDir("golden/backend-tls").resolve("input.yaml");
  }

  private static TranslationResult translate(List<Path> inputs) {
    return new Translator().translate(DirectorySource.load(inputs));
  }

  private static Cluster cluster(XdsResources xds, String name) {
    return xds.clusters().stream().filter(c -> c.getName().equals(name)).findFirst().orElse(null);
  }

  private static UpstreamTlsContext tls(Cluster cluster) throws Exception {
    assertEquals("envoy.transport_sockets.tls", cluster.getTransportSocket().getName());
    return cluster.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
  }

  private static Condition condition(List<Condition> conditions, String type) {
    return conditions.stream().filter(c -> c.getType().equals(type)).findFirst().orElse(null);
  }

  private static List<Condition> ancestor(TranslationResult result, String policy, String gateway) {
    PolicyStatus status = (PolicyStatus) result.statuses().get(new ResourceKey("BackendTLSPolicy", "default", policy));
    assertNotNull(status, "status of " + policy);
    for (PolicyAncestorStatus a : status.getAncestors()) {
      if (a.getAncestorRef().getName().equals(gateway)) {
        assertEquals(GatewayApi.CONTROLLER_NAME, a.getControllerName());
        assertEquals("Gateway", a.getAncestorRef().getKind());
        return a.getConditions();
      }
    }
    throw new AssertionError("no ancestor " + gateway + " in " + status);
  }

  @Test
  void caFromConfigMapSniAndSanAndClientCertificate() throws Exception {
    XdsResources xds = translate(List.of(input())).gateways().get(GW);
    UpstreamTlsContext tls = tls(cluster(xds, "kube_default_secure_443"));
    assertEquals("abc.example.com", tls.getSni());
    var combined = tls.getCommonTlsContext().getCombinedValidationContext();
    assertEquals("backendtls-ca/default/secure-https", combined.getValidationContextSdsSecretConfig().getName());
    SubjectAltNameMatcher san = combined.getDefaultValidationContext().getMatchTypedSubjectAltNames(0);
    assertEquals(SubjectAltNameMatcher.SanType.DNS, san.getSanType());
    assertEquals("abc.example.com", san.getMatcher().getExact());
    assertEquals("client-secret/default/client-cert",
        tls.getCommonTlsContext().getTlsCertificateSdsSecretConfigs(0).getName());
    // both SDS secrets are in the snapshot: the CA bundle (public) and the client certificate
    Secret ca = xds.secrets().stream().filter(s -> s.getName().equals("backendtls-ca/default/secure-https"))
        .findFirst().orElseThrow();
    assertTrue(ca.getValidationContext().getTrustedCa().getInlineString().contains("BEGIN CERTIFICATE"));
    assertTrue(xds.secrets().stream().anyMatch(s -> s.getName().equals("client-secret/default/client-cert")
        && s.hasTlsCertificate()));
    assertTrue(SemanticChecks.check(xds).isEmpty(), () -> SemanticChecks.check(xds).toString());
  }

  @Test
  void systemCasAndExplicitSubjectAltNames() throws Exception {
    UpstreamTlsContext tls = tls(cluster(translate(List.of(input())).gateways().get(GW), "kube_default_public_443"));
    assertEquals("api.example.net", tls.getSni());
    var validation = tls.getCommonTlsContext().getValidationContext();
    assertEquals("/etc/ssl/certs/ca-certificates.crt", validation.getTrustedCa().getFilename());
    assertEquals(2, validation.getMatchTypedSubjectAltNamesCount());
    assertEquals(SubjectAltNameMatcher.SanType.URI, validation.getMatchTypedSubjectAltNames(1).getSanType());
  }

  @Test
  void portPolicyBeatsServicePolicyAndWholeServicePolicyCoversOtherPorts() throws Exception {
    XdsResources xds = translate(List.of(input())).gateways().get(GW);
    assertEquals("whole.example.com", tls(cluster(xds, "kube_default_secure_80")).getSni());
  }

  @Test
  void olderPolicyWinsAndTheOtherIsConflicted() {
    TranslationResult result = translate(List.of(input()));
    assertEquals("True", condition(ancestor(result, "public-old", "gw"), "Accepted").getStatus());
    Condition conflicted = condition(ancestor(result, "public-new", "gw"), "Accepted");
    assertEquals("False", conflicted.getStatus());
    assertEquals("Conflicted", conflicted.getReason());
  }

  @Test
  void invalidCaRefs() {
    TranslationResult result = translate(List.of(input()));
    List<Condition> broken = ancestor(result, "broken", "gw");
    assertEquals("NoValidCACertificate", condition(broken, "Accepted").getReason());
    assertEquals("InvalidCACertificateRef", condition(broken, "ResolvedRefs").getReason());
    // no plaintext to a backend whose policy is not accepted: no cluster at all
    assertNull(cluster(result.gateways().get(GW), "kube_default_broken_443"));
    List<Condition> partial = ancestor(result, "secure-https", "gw");
    assertEquals("True", condition(partial, "Accepted").getStatus());
    assertEquals("InvalidKind", condition(partial, "ResolvedRefs").getReason());
  }

  @Test
  void gatewayResolvedRefsReportsTheClientCertificate() {
    TranslationResult result = translate(List.of(input()));
    GatewayStatus ok = (GatewayStatus) result.statuses().get(GW);
    assertEquals("True", condition(ok.getConditions(), "ResolvedRefs").getStatus());
    GatewayStatus bad = (GatewayStatus) result.statuses().get(new ResourceKey("Gateway", "default", "gw-bad"));
    Condition refs = condition(bad.getConditions(), "ResolvedRefs");
    assertEquals("False", refs.getStatus());
    assertEquals("InvalidClientCertificateRef", refs.getReason());
    // without a usable client certificate, backend TLS still works, presenting none
    XdsResources xds = result.gateways().get(new ResourceKey("Gateway", "default", "gw-bad"));
    assertFalse(xds.secrets().stream().anyMatch(s -> s.hasTlsCertificate()));
  }

  @Test
  void noKeyMaterialInRenderedOutput() {
    String json = TranslationJson.render(translate(List.of(input()))).toString();
    assertFalse(json.contains("PRIVATE KEY"), "private keys never reach outputs");
    for (Secret s : translate(List.of(input())).gateways().get(GW).secrets()) {
      String dumped = TranslationJson.message(s).toString();
      assertFalse(dumped.contains("PRIVATE KEY"), dumped);
    }
  }

  @Test
  void clientCertificateInAnotherNamespaceNeedsAReferenceGrant(@TempDir Path dir) throws IOException {
    String original = Files.readString(input());
    String moved = original.replace("clientCertificateRef: {group: \"\", kind: Secret, name: client-cert}",
        "clientCertificateRef: {group: \"\", kind: Secret, name: client-cert, namespace: certs}")
        .replace("metadata: {name: client-cert, namespace: default}", "metadata: {name: client-cert, namespace: certs}");
    Path denied = dir.resolve("denied.yaml");
    Files.writeString(denied, moved);
    Condition refs = condition(((GatewayStatus) translate(List.of(denied)).statuses().get(GW)).getConditions(),
        "ResolvedRefs");
    assertEquals("RefNotPermitted", refs.getReason());
    Path grant = dir.resolve("grant.yaml");
    Files.writeString(grant, """
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: ReferenceGrant
        metadata: {name: gateways, namespace: certs}
        spec:
          from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: default}]
          to: [{group: "", kind: Secret}]
        """);
    TranslationResult granted = translate(List.of(denied, grant));
    assertEquals("True", condition(((GatewayStatus) granted.statuses().get(GW)).getConditions(), "ResolvedRefs")
        .getStatus());
    assertTrue(granted.gateways().get(GW).secrets().stream()
        .anyMatch(s -> s.getName().equals("client-secret/certs/client-cert")));
  }

  @Test
  void kindIsRegistered() {
    assertTrue(KindRegistry.withBuiltins().lookup("gateway.networking.k8s.io/v1", "BackendTLSPolicy").isPresent());
    // v1alpha3 is not registered: the manifest parser converts it to v1, as the CRD serves it (next test)
  }

  @Test
  void v1alpha3ManifestsApplyToo(@TempDir Path dir) throws Exception {
    Path alpha = dir.resolve("alpha.yaml");
    Files.writeString(alpha, Files.readString(input()).replace(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: BackendTLSPolicy",
        "apiVersion: gateway.networking.k8s.io/v1alpha3\nkind: BackendTLSPolicy"));
    assertTrue(Files.readString(alpha).contains("v1alpha3"));
    TranslationResult result = translate(List.of(alpha));
    assertEquals("abc.example.com", tls(cluster(result.gateways().get(GW), "kube_default_secure_443")).getSni());
  }
}
