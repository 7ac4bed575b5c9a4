package io.gloo.core.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.gloo.core.ir.RouteSource;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.translate.xds.SourceMetadata;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The console's building blocks: escaping, secret redaction, status reading and NACK tracing. */
class ConsolePartsTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void everyTextAndAttributeIsEscaped() {
    String page = new Html().element("td", "<script>alert(1)</script>", "title", "\"><img src=x>").toString();
    assertFalse(page.contains("<script>"), page);
    assertFalse(page.contains("\"><img"), page);
    assertTrue(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), page);
  }

  @Test
  void secretValuesAreRedactedButReferencesToSecretsStay() {
    JsonNode spec = JSON.readTree("""
        {"oauth2": {"clientSecret": "s3cr3t", "clientSecretRef": {"name": "oidc"}, "clientId": "app"},
         "apiKey": "k-123", "headers": [{"name": "authorization", "value": "Bearer abc"}],
         "basicAuth": {"users": {"alice": {"password": "pw"}}}, "sessionKey": "x", "secretName": "tls"}
        """);
    String redacted = SecretValues.redact(spec).toString();
    for (String secret : List.of("s3cr3t", "k-123", "\"pw\"", "\"x\"")) {
      assertFalse(redacted.contains(secret), secret + " in " + redacted);
    }
    assertTrue(redacted.contains("\"oidc\"") && redacted.contains("\"app\"") && redacted.contains("\"tls\""),
        redacted);
  }

  @Test
  void statusProblemsAreFoundInEveryShape() {
    JsonNode route = JSON.readTree("""
        {"parents": [{"parentRef": {"name": "gw", "namespace": "default"}, "conditions": [
          {"type": "Accepted", "status": "True", "reason": "Accepted"},
          {"type": "ResolvedRefs", "status": "False", "reason": "BackendNotFound", "message": "svc nope"}]}]}
        """);
    List<StatusView.Problem> problems = StatusView.problems(route);
    assertEquals(1, problems.size());
    assertEquals("parent Gateway default/gw", problems.get(0).where());
    assertEquals("BackendNotFound", problems.get(0).reason());

    JsonNode listener = JSON.readTree("""
        {"listeners": [{"name": "http", "conditions": [{"type": "Conflicted", "status": "True", "reason": "Port"}]}],
         "conditions": [{"type": "Programmed", "status": "True"}]}
        """);
    assertEquals("listener http", StatusView.problems(listener).get(0).where());

    JsonNode gloo = JSON.readTree("""
        {"statuses": {"gloo-system": {"state": "Rejected", "reason": "spec.options.timeout: bad"}}}
        """);
    assertEquals(Html.Tone.BAD, StatusView.tone(gloo));
    assertEquals("spec.options.timeout: bad", StatusView.problems(gloo).get(0).message());
    assertEquals(Html.Tone.OK, StatusView.tone(JSON.readTree(
        "{\"statuses\": {\"gloo-system\": {\"state\": \"Accepted\"}}}")));
  }

  @Test
  void aNackIsTracedThroughTheNamesItQuotes() {
    ResourceKey gateway = new ResourceKey("Gateway", "default", "gw");
    Route route = Route.newBuilder().setName("web-route").setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setMetadata(SourceMetadata.of(new RouteSource(new ResourceKey("HTTPRoute", "default", "web"), 2, null, 0)))
        .build();
    Route other = Route.newBuilder().setName("web").setMatch(RouteMatch.newBuilder().setPrefix("/x")).build();
    XdsResources xds = new XdsResources(List.of(),
        List.of(RouteConfiguration.newBuilder().setName("http~8080").addVirtualHosts(VirtualHost.newBuilder()
            .setName("vh").addDomains("*").addRoutes(route).addRoutes(other)).build()),
        List.of(Cluster.newBuilder().setName("kube_default_svc_80")
            .setMetadata(SourceMetadata.of(new ResourceKey("Service", "default", "svc"))).build()),
        List.of(), List.of());

    assertEquals(Set.of("Service default/svc"), NackTrace.sources(gateway, xds,
        "Error adding/updating cluster(s) kube_default_svc_80: bad lb policy"));
    // "web" appears only inside "web-route": only the route that is quoted is blamed
    assertEquals(Set.of("HTTPRoute default/web rule 2 match 0"), NackTrace.sources(gateway, xds,
        "route web-route: invalid regex"));
    assertTrue(NackTrace.sources(gateway, xds, "something unrelated").isEmpty());
  }
}
