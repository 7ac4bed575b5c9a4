package io.gloo.core.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.gloo.core.store.SourceProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestParserTest {

  private final ManifestParser parser = new ManifestParser();

  private static final String ALL_KINDS = """
      # leading comment
      apiVersion: gateway.networking.k8s.io/v1
      kind: GatewayClass
      metadata:
        name: gloo
      spec:
        controllerName: solo.io/gloo-gateway
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata:
        name: gw
        namespace: gloo-system
      spec:
        gatewayClassName: gloo
        listeners:
        - name: http
          port: 8080
          protocol: HTTP
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata:
        name: route
      spec:
        parentRefs:
        - name: gw
          namespace: gloo-system
        rules:
        - backendRefs:
          - name: svc
            port: 8080
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: GRPCRoute
      metadata:
        name: grpc
      spec:
        rules:
        - backendRefs:
          - name: svc
            port: 9000
      ---
      apiVersion: gateway.networking.k8s.io/v1beta1
      kind: ReferenceGrant
      metadata:
        name: grant-beta
      spec:
        from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default}]
        to: [{group: "", kind: Service}]
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: ReferenceGrant
      metadata:
        name: grant-v1
      spec:
        from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default}]
        to: [{group: "", kind: Service}]
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: svc
      spec:
        ports:
        - port: 8080
          targetPort: http
      ---
      apiVersion: v1
      kind: Secret
      metadata:
        name: tls
      type: kubernetes.io/tls
      data:
        tls.crt: Y2VydA==
        tls.key: a2V5
      ---
      apiVersion: v1
      kind: Namespace
      metadata:
        name: gloo-system
      ---
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: cm
      data:
        key: value
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata:
        name: svc-abc
        labels:
          kubernetes.io/service-name: svc
      addressType: IPv4
      ports:
      - name: http
        port: 8080
      endpoints:
      - addresses: ["10.0.0.1"]
      """;

  @Test
  void parsesEveryBuiltinKindFromOneMultiDocumentFile() {
    ManifestParser.Result result = parser.parse("all.yaml", ALL_KINDS);

    assertEquals(List.of(), result.problems());
    List<HasMetadata> resources = result.resources();
    assertEquals(11, resources.size());
    assertInstanceOf(GatewayClass.class, resources.get(0));
    Gateway gateway = assertInstanceOf(Gateway.class, resources.get(1));
    assertEquals(8080, gateway.getSpec().getListeners().get(0).getPort());
    HTTPRoute route = assertInstanceOf(HTTPRoute.class, resources.get(2));
    assertEquals("svc", route.getSpec().getRules().get(0).getBackendRefs().get(0).getName());
    assertInstanceOf(GRPCRoute.class, resources.get(3));
    assertInstanceOf(io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant.class, resources.get(4));
    assertInstanceOf(io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant.class, resources.get(5));
    Service service = assertInstanceOf(Service.class, resources.get(6));
    assertEquals("http", service.getSpec().getPorts().get(0).getTargetPort().getStrVal());
    Secret secret = assertInstanceOf(Secret.class, resources.get(7));
    assertEquals("a2V5", secret.getData().get("tls.key"));
    assertInstanceOf(Namespace.class, resources.get(8));
    assertInstanceOf(ConfigMap.class, resources.get(9));
    EndpointSlice slice = assertInstanceOf(EndpointSlice.class, resources.get(10));
    assertEquals("10.0.0.1", slice.getEndpoints().get(0).getAddresses().get(0));
  }

  @Test
  void namespacedKindsDefaultToDefaultNamespaceAndClusterScopedKindsHaveNone() {
    List<HasMetadata> resources = parser.parse("all.yaml", ALL_KINDS).resources();

    assertNull(resources.get(0).getMetadata().getNamespace(), "GatewayClass is cluster-scoped");
    assertEquals("gloo-system", resources.get(1).getMetadata().getNamespace(), "explicit namespace kept");
    assertEquals("default", resources.get(2).getMetadata().getNamespace());
    assertEquals("default", resources.get(4).getMetadata().getNamespace());
    assertEquals("default", resources.get(10).getMetadata().getNamespace());
    assertNull(resources.get(8).getMetadata().getNamespace(), "Namespace is cluster-scoped");
  }

  @Test
  void skipsEmptyDocumentsAndKubernetesKindsButReportsUnservedKinds() {
    String yaml = """
        ---
        ---
        # only a comment
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: app
        ---
        apiVersion: gateway.solo.io/v1
        kind: MatchableHttpGateway
        metadata:
          name: vs
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: kept
        ...
        """;
    ManifestParser.Result result = parser.parse("mixed.yaml", yaml);

    // a Deployment is a Kubernetes kind gloo has no use for (INFO only); a Gloo kind no plugin serves is a problem
    assertEquals(1, result.problems().size(), result.problems().toString());
    assertEquals(10, result.problems().get(0).line());
    assertTrue(result.problems().get(0).message().startsWith(
        "MatchableHttpGateway (gateway.solo.io/v1) is not served by any loaded plugin"), result.problems().toString());
    assertEquals(1, result.resources().size());
    assertEquals("kept", result.resources().get(0).getMetadata().getName());
  }

  @Test
  void malformedYamlReportsFileAndLineAndKeepsEarlierDocuments() {
    String yaml = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: before
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: broken
          labels: [unclosed
        data:
          a: b
        """;
    ManifestParser.Result result = parser.parse("broken.yaml", yaml);

    assertEquals(1, result.resources().size());
    assertEquals("before", result.resources().get(0).getMetadata().getName());
    assertEquals(1, result.problems().size());
    SourceProblem problem = result.problems().get(0);
    assertEquals("broken.yaml", problem.source());
    // the flow sequence opened on line 10 runs into the block mapping on line 11
    assertEquals(11, problem.line(), problem.toString());
    assertTrue(problem.column() > 0, problem.toString());
    assertTrue(problem.message().startsWith("invalid YAML"), problem.message());
  }

  @Test
  void badIndentationIsReportedAtItsLine() {
    String yaml = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: cm
         namespace: x
        """;
    SourceProblem problem = parser.parse("indent.yaml", yaml).problems().get(0);

    assertEquals(5, problem.line(), problem.toString());
  }

  @Test
  void documentWithoutNameIsAProblemWhileItsSiblingsLoad() {
    String yaml = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: first
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          namespace: x
        ---
        - just
        - a list
        ---
        kind: ConfigMap
        metadata:
          name: no-api-version
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: last
        """;
    ManifestParser.Result result = parser.parse("names.yaml", yaml);

    assertEquals(List.of("first", "last"), result.resources().stream().map(r -> r.getMetadata().getName()).toList());
    assertEquals(3, result.problems().size(), result.problems().toString());
    SourceProblem noName = result.problems().get(0);
    assertEquals(6, noName.line());
    assertTrue(noName.message().contains("metadata.name"), noName.message());
    assertEquals(11, result.problems().get(1).line());
    assertTrue(result.problems().get(1).message().contains("not a mapping"));
    assertTrue(result.problems().get(2).message().contains("apiVersion"));
  }

  @Test
  void conversionFailureNamesTheFieldAndNeverShowsSecretValues() {
    String yaml = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: gw
        spec:
          gatewayClassName: gloo
          listeners:
          - name: http
            protocol: HTTP
            port: not-a-number
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: s
        data:
          password: [hunter2-top-secret]
        """;
    ManifestParser.Result result = parser.parse("bad.yaml", yaml);

    assertEquals(2, result.problems().size(), result.problems().toString());
    SourceProblem port = result.problems().get(0);
    assertEquals("Gateway default/gw: spec.listeners[0].port: expected an integer, got \"not-a-number\"",
        port.message());
    assertEquals(10, port.line(), "the field's line, not the document's");
    SourceProblem secret = result.problems().get(1);
    assertEquals("Secret default/s: data.password: expected a string", secret.message());
    assertEquals(17, secret.line());
    assertFalse(secret.message().contains("hunter2"), secret.message());
  }

  @Test
  void readsJsonFilesAndReportsJsonSyntaxErrors(@TempDir Path dir) throws Exception {
    Path good = Files.writeString(dir.resolve("svc.json"),
        "{\"apiVersion\": \"v1\", \"kind\": \"Service\", \"metadata\": {\"name\": \"svc\"}}");
    Path bad = Files.writeString(dir.resolve("bad.json"), "{\n  \"apiVersion\": \"v1\",\n  \"kind\": }\n");

    assertEquals("svc", parser.parse(good).resources().get(0).getMetadata().getName());
    SourceProblem problem = parser.parse(bad).problems().get(0);
    assertEquals(bad.toString(), problem.source());
    assertEquals(3, problem.line(), problem.toString());
  }

  @Test
  void missingFileIsAProblem(@TempDir Path dir) {
    ManifestParser.Result result = parser.parse(dir.resolve("nope.yaml"));

    assertTrue(result.hasProblems());
    assertTrue(result.problems().get(0).message().contains("does not exist"));
  }

  @Test
  void registeredPluginKindsLoadAsGenericResources() {
    KindRegistry registry = KindRegistry.withBuiltins()
        .register("gateway.solo.io/v1", "RouteOption", GenericKubernetesResource.class, true);
    String yaml = """
        apiVersion: gateway.solo.io/v1
        kind: RouteOption
        metadata:
          name: opts
        spec:
          options:
            prefixRewrite: /
        """;
    HasMetadata option = new ManifestParser(registry).parse("opts.yaml", yaml).resources().get(0);

    GenericKubernetesResource generic = assertInstanceOf(GenericKubernetesResource.class, option);
    assertEquals("RouteOption", generic.getKind());
    assertEquals("default", generic.getMetadata().getNamespace());
  }
}
