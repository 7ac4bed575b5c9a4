package io.gloo.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.gloo.core.server.GlooServer;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.testing.Await;
import io.gloo.core.translate.XdsResources;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gloo serve} with the enterprise plugin archives: an AuthConfig referenced from a RouteOption becomes the
 * route's ext_authz config, and the in-process ext-auth service (loaded from the extauth plugin zip) serves it,
 * with the API key from a Secret.
 */
class ExtAuthServeTest {

  private static final String CONFIG = """
      apiVersion: gateway.networking.k8s.io/v1
      kind: GatewayClass
      metadata: {name: gloo-gateway}
      spec: {controllerName: solo.io/gloo-gateway}
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata: {name: gw, namespace: default}
      spec:
        gatewayClassName: gloo-gateway
        listeners: [{name: http, protocol: HTTP, port: 8080}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: svc, namespace: default}
      spec: {ports: [{port: 80}]}
      ---
      apiVersion: v1
      kind: Secret
      metadata: {name: alice, namespace: default, labels: {team: infra}}
      type: extauth.solo.io/apikey
      stringData: {api-key: alice-secret-key, user-id: alice}
      ---
      apiVersion: enterprise.gloo.solo.io/v1
      kind: AuthConfig
      metadata: {name: keys, namespace: default}
      spec:
        configs:
        - apiKeyAuth:
            k8sSecretApikeyStorage: {labelSelector: {team: infra}}
            headersFromMetadataEntry: {x-user-id: {name: user-id}}
      ---
      apiVersion: gateway.solo.io/v1
      kind: RouteOption
      metadata: {name: auth, namespace: default}
      spec:
        options:
          extauth: {configRef: {name: keys}}
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: {name: r, namespace: default}
      spec:
        parentRefs: [{name: gw}]
        rules:
          - filters: [{type: ExtensionRef, extensionRef: {group: gateway.solo.io, kind: RouteOption, name: auth}}]
            backendRefs: [{name: svc, port: 80}]
      """;

  @Test
  void servesTheAuthConfigItTranslates(@TempDir Path dir) throws Exception {
    int port = Integer.parseInt(EnterprisePlugins.freePort());
    try (GlooServer server = EnterprisePlugins.serve(dir).manifest("all.yaml", CONFIG)
        .setting("extauth", "port", String.valueOf(port)).start()) {
      PublishedSnapshot snapshot = server.publisher().current().get(new ResourceKey("Gateway", "default", "gw"));
      XdsResources xds = snapshot.resources();
      Route route = xds.routes().get(0).getVirtualHosts(0).getRoutes(0);
      assertTrue(route.getTypedPerFilterConfigMap().containsKey("envoy.filters.http.ext_authz"), route.toString());
      assertTrue(xds.clusters().stream().anyMatch(c -> c.getName().equals("extauth_service")));

      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      try {
        AuthorizationGrpc.AuthorizationBlockingStub client = AuthorizationGrpc.newBlockingStub(channel);
        Await.until(new LinkedBlockingQueue<>(), Duration.ofSeconds(20),
            () -> client.withDeadlineAfter(5, TimeUnit.SECONDS).check(request("alice-secret-key"))
                .getStatus().getCode() == 0,
            () -> "the in-process ext-auth service never allowed the key");
        assertEquals("alice", client.check(request("alice-secret-key")).getOkResponse().getHeaders(0)
            .getHeader().getValue());
        assertEquals(401, client.check(request("wrong")).getDeniedResponse().getStatus().getCodeValue());
      } finally {
        channel.shutdownNow();
      }
    }
  }

  private static CheckRequest request(String apiKey) {
    return CheckRequest.newBuilder().setAttributes(AttributeContext.newBuilder()
        .putContextExtensions("config_id", "default.keys")
        .setRequest(AttributeContext.Request.newBuilder().setHttp(AttributeContext.HttpRequest.newBuilder()
            .setMethod("GET").setPath("/").putHeaders("api-key", apiKey)))).build();
  }
}
