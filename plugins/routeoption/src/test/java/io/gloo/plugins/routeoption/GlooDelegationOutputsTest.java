package io.gloo.plugins.routeoption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.testing.PluginTranslation;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.translate.TranslationResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * HTTPRoute delegation as Gloo does it: each of Gloo's delegation translator cases (inputs under {@code golden/},
 * Gloo's Proxy output under {@code gloo-proxy-outputs/}) translates to the same routes in the same order: matcher,
 * destination, and every route option Gloo sets (faults, cors, headerManipulation, prefixRewrite) as the Envoy field
 * our translation sets for it, and no other. The RouteOptions Gloo lists as sources of some route are those we report
 * Accepted; the others are reported as not applied.
 */
class GlooDelegationOutputsTest {

  private static final YAMLMapper YAML = new YAMLMapper();
  private static final JsonMapper JSON = new JsonMapper();

  static Stream<String> cases() throws IOException {
    try (Stream<Path> files = Files.list(GoldenFiles.sourceDir("gloo-proxy-outputs"))) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
          .map(n -> n.substring(0, n.length() - ".yaml".length())).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void routesAsGloo(String name) throws IOException {
    JsonNode proxy = YAML.readTree(GoldenFiles.sourceDir("gloo-proxy-outputs").resolve(name + ".yaml").toFile());
    ResourceSnapshot snapshot = PluginTranslation.load(GoldenFiles.inputs(name));
    assertTrue(snapshot.problems().isEmpty(), "input must parse cleanly: " + snapshot.problems());
    TranslationResult result = PluginTranslation.translate(snapshot, Map.of("routeoption", new RouteOptionPlugin()));
    JsonNode ours = JSON.readTree(JSON.writeValueAsString(PluginTranslation.render(result)));

    List<String> expected = new ArrayList<>();
    Set<String> sources = new TreeSet<>();
    for (JsonNode listener : proxy.path("listeners")) {
      for (JsonNode vhost : listener.path("aggregateListener").path("httpResources").path("virtualHosts")) {
        for (JsonNode route : vhost.path("routes")) {
          expected.add(vhost.path("domains").get(0).asText() + " " + glooRoute(route));
          route.path("metadataStatic").path("sources")
              .forEach(s -> sources.add(s.path("resourceRef").path("namespace").asText() + "/"
                  + s.path("resourceRef").path("name").asText()));
        }
      }
    }
    List<String> actual = new ArrayList<>();
    for (JsonNode gateway : ours.path("gateways")) {
      for (JsonNode config : gateway.path("routes")) {
        for (JsonNode vhost : config.path("virtualHosts")) {
          for (JsonNode route : vhost.path("routes")) {
            actual.add(vhost.path("domains").get(0).asText() + " " + envoyRoute(route));
          }
        }
      }
    }
    assertEquals(String.join("\n", expected), String.join("\n", actual), name + ": routes differ from Gloo's");

    Set<String> accepted = new TreeSet<>();
    Set<String> all = new TreeSet<>();
    ours.path("statuses").properties().forEach(e -> {
      if (e.getKey().startsWith("RouteOption/")) {
        String ref = e.getKey().substring("RouteOption/".length());
        all.add(ref);
        if (e.getValue().path("statuses").path("gloo-system").path("state").asText().equals("Accepted")) {
          accepted.add(ref);
        }
      }
    });
    assertEquals(sources, accepted, name + ": RouteOptions applied (Gloo's sources) vs reported Accepted; all " + all);
  }

  /** A Gloo Proxy route in the comparison form. */
  private static String glooRoute(JsonNode route) {
    JsonNode m = route.path("matchers").get(0);
    String match = m.has("prefix") ? "prefix " + m.get("prefix").asText()
        : m.has("exact") ? "exact " + m.get("exact").asText() : "regex " + m.path("regex").asText();
    JsonNode kube = route.path("routeAction").path("single").path("kube");
    String cluster = "kube_" + kube.path("ref").path("namespace").asText() + "_" + kube.path("ref").path("name")
        .asText() + "_" + kube.path("port").asText();
    Map<String, String> options = new TreeMap<>();
    route.path("options").properties().forEach(e -> {
      JsonNode v = e.getValue();
      switch (e.getKey()) {
        case "faults" -> options.put("abort", v.path("abort").path("httpStatus").asInt() + " "
            + Math.round(v.path("abort").path("percentage").asDouble() * 10_000));
        case "cors" -> options.put("cors", list(v.path("allowOrigin")) + " expose " + list(v.path("exposeHeaders")));
        case "prefixRewrite" -> options.put("prefixRewrite", v.asText());
        case "headerManipulation" -> v.properties().forEach(h -> {
          switch (h.getKey()) {
            case "requestHeadersToRemove" -> options.put("requestHeadersToRemove", list(h.getValue()));
            case "responseHeadersToAdd" -> options.put("responseHeadersToAdd", headers(h.getValue()));
            default -> throw new AssertionError("no comparison for headerManipulation." + h.getKey());
          }
        });
        default -> throw new AssertionError("no comparison for option " + e.getKey());
      }
    });
    return match + " -> " + cluster + " " + options;
  }

  /** Our Envoy route in the comparison form. */
  private static String envoyRoute(JsonNode route) {
    JsonNode m = route.path("match");
    String match = m.has("pathSeparatedPrefix") ? "prefix " + m.get("pathSeparatedPrefix").asText()
        : m.has("prefix") ? "prefix " + m.get("prefix").asText()
        : m.has("path") ? "exact " + m.get("path").asText() : "regex " + m.path("safeRegex").path("regex").asText();
    Map<String, String> options = new TreeMap<>();
    JsonNode filters = route.path("typedPerFilterConfig");
    filters.properties().forEach(e -> {
      JsonNode v = e.getValue();
      switch (e.getKey()) {
        case "envoy.filters.http.fault" -> options.put("abort", v.path("abort").path("httpStatus").asInt() + " "
            + v.path("abort").path("percentage").path("numerator").asLong());
        case "envoy.filters.http.cors" -> {
          List<String> origins = new ArrayList<>();
          v.path("allowOriginStringMatch").forEach(o -> origins.add(o.path("exact").asText()));
          options.put("cors", origins + " expose " + List.of(v.path("exposeHeaders").asText().split(",")));
        }
        default -> options.put(e.getKey(), v.toString());
      }
    });
    if (route.path("route").has("prefixRewrite")) {
      options.put("prefixRewrite", route.path("route").path("prefixRewrite").asText());
    }
    if (route.has("requestHeadersToRemove")) {
      options.put("requestHeadersToRemove", list(route.get("requestHeadersToRemove")));
    }
    if (route.has("responseHeadersToAdd")) {
      options.put("responseHeadersToAdd", headers(route.get("responseHeadersToAdd")));
    }
    return match + " -> " + route.path("route").path("cluster").asText() + " " + options;
  }

  private static String list(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values.toString();
  }

  private static String headers(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.path("header").path("key").asText() + "=" + v.path("header").path("value")
        .asText()));
    return values.toString();
  }
}
