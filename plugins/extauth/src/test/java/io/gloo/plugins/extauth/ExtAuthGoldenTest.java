package io.gloo.plugins.extauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.testing.PluginTranslation;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.validate.SnapshotValidator;
import io.gloo.plugins.routeoption.RouteOptionPlugin;
import io.gloo.plugins.virtualhostoption.VirtualHostOptionPlugin;
import io.gloo.spi.GlooPlugin;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute;
import io.gloo.core.translate.XdsResources;
import io.gloo.plugins.extauth.translate.ExtAuthzFilters;
import org.junit.jupiter.api.Test;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every folder under {@code golden/} holds input manifests and {@code expected.json}: listeners (with the ext_authz
 * filters), route configurations (per-route / per-virtual-host {@code ExtAuthzPerRoute}), cluster names and every
 * resource's status, translated with the routeoption, virtualhostoption and extauth plugins (plugin config
 * {@code customAuthServers.mine=auth.example.com:9001}). Every generated resource must pass core's snapshot
 * validator. Regenerate with {@code -Dgolden.update=true}.
 */
class ExtAuthGoldenTest {

  static Stream<String> cases() throws IOException {
    return GoldenFiles.cases();
  }

  private static TranslationResult translate(String name) throws IOException {
    ResourceSnapshot snapshot = PluginTranslation.load(GoldenFiles.inputs(name));
    assertTrue(snapshot.problems().isEmpty(), "input must parse cleanly: " + snapshot.problems());
    Map<String, GlooPlugin> plugins = Map.of(
        "routeoption", new RouteOptionPlugin(),
        "virtualhostoption", new VirtualHostOptionPlugin(),
        "extauth", new ExtAuthPlugin(Map.of("customAuthServers.mine", "auth.example.com:9001")));
    return PluginTranslation.translate(snapshot, plugins);
  }

  /** The context extensions a route or virtual host sends with our filter (the golden JSON redacts them). */
  private static Map<String, String> contextExtensions(Map<String, Any> perFilter, String filter) throws Exception {
    ExtAuthzPerRoute config = perFilter.get(filter).unpack(ExtAuthzPerRoute.class);
    return config.getDisabled() ? null : config.getCheckSettings().getContextExtensionsMap();
  }

  private static VirtualHost onlyVirtualHost(TranslationResult result) {
    XdsResources xds = result.gateways().values().iterator().next();
    return xds.routes().get(0).getVirtualHosts(0);
  }

  private static Route route(VirtualHost vh, String prefix) {
    return vh.getRoutesList().stream().filter(r -> r.getMatch().getPathSeparatedPrefix().equals(prefix)).findFirst()
        .orElseThrow();
  }

  @Test
  void configRefSendsTheConfigIdAndTheSource() throws Exception {
    VirtualHost vh = onlyVirtualHost(translate("config-ref"));
    assertEquals(Map.of("config_id", "default.basic", "source_type", "route", "source_name", "default/r"),
        contextExtensions(route(vh, "/private").getTypedPerFilterConfigMap(), ExtAuthzFilters.FILTER));
    assertNull(contextExtensions(route(vh, "/off").getTypedPerFilterConfigMap(), ExtAuthzFilters.FILTER));
    assertEquals(403, route(vh, "/missing").getDirectResponse().getStatus());
    assertEquals(403, route(vh, "/rejected").getDirectResponse().getStatus());
    assertTrue(route(vh, "/public").getTypedPerFilterConfigMap().isEmpty());
  }

  @Test
  void routeOverridesTheVirtualHostDefault() throws Exception {
    VirtualHost vh = onlyVirtualHost(translate("vhost-default"));
    assertEquals("default.basic", contextExtensions(vh.getTypedPerFilterConfigMap(), ExtAuthzFilters.FILTER)
        .get("config_id"));
    assertEquals("default.keys", contextExtensions(route(vh, "/api").getTypedPerFilterConfigMap(),
        ExtAuthzFilters.FILTER).get("config_id"));
    assertNull(contextExtensions(route(vh, "/health").getTypedPerFilterConfigMap(), ExtAuthzFilters.FILTER));
    assertTrue(route(vh, "/inherits").getTypedPerFilterConfigMap().isEmpty());
  }

  @Test
  void customAuthSendsItsContextExtensionsToItsOwnFilter() throws Exception {
    VirtualHost vh = onlyVirtualHost(translate("custom-auth"));
    Map<String, Any> custom = route(vh, "/custom").getTypedPerFilterConfigMap();
    assertEquals(Map.of("tenant", "acme"), contextExtensions(custom, ExtAuthzFilters.customFilter("mine")));
    assertNull(contextExtensions(custom, ExtAuthzFilters.FILTER));
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"examples-http-passthrough-auth-authconfig.yaml",
      "examples-grpc-passthrough-auth-authconfig.yaml"})
  void glooExampleAuthConfigsAreAccepted(String file) {
    java.nio.file.Path path = io.gloo.core.testing.SharedDir.find().orElseThrow(
        () -> new AssertionError("shared/gloo-examples not found")).resolve("gloo-examples/docs/" + file);
    ResourceSnapshot snapshot = PluginTranslation.load(List.of(path));
    assertTrue(snapshot.problems().isEmpty(), snapshot.problems().toString());
    TranslationResult result = PluginTranslation.translate(snapshot, Map.of("extauth", new ExtAuthPlugin()));
    Map<String, Object> status = PluginTranslation.status(result, "AuthConfig", "gloo-system", "passthrough-auth");
    assertEquals("Accepted", status.get("state"), String.valueOf(status));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void translatesAsGolden(String name) throws IOException {
    TranslationResult result = translate(name);
    SnapshotValidator validator = new SnapshotValidator();
    result.gateways().forEach((gateway, xds) ->
        assertEquals(List.of(), validator.validate(xds), "snapshot of " + gateway + " must pass core's validator"));
    GoldenFiles.assertMatches(GoldenFiles.expected(name), PluginTranslation.render(result));
  }
}
