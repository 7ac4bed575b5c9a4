package io.gloo.plugin.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.TranslationResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every real Gloo 1.18 manifest with an Upstream (under {@code shared/gloo-examples}) loads and translates unchanged.
 * Each file is translated with the companion files of its folder that route to Upstreams (the e2e suites split
 * Upstream and HTTPRoute). Upstreams routed to from an HTTPRoute get Accepted, Warning or Rejected, with the route
 * attached; Upstreams only used by the Gloo Edge VirtualService API are reported too (validated, "not attached").
 */
class GlooExamplesTest {

  private static final Pattern UPSTREAM = Pattern.compile("(?m)^kind:\\s*Upstream\\s*$");
  private static final Pattern UPSTREAM_REF = Pattern.compile("kind:\\s*Upstream\\b[^\\n]*|group:\\s*gloo\\.solo\\.io");

  @Test
  @SuppressWarnings("unchecked")
  void everyExampleUpstreamTranslates() throws IOException {
    Optional<Path> shared = sharedDir();
    Assumptions.assumeTrue(shared.isPresent(), "shared/gloo-examples not found: set -Dgloo.shared.dir");
    List<Path> files;
    try (Stream<Path> walk = Files.walk(shared.get().resolve("gloo-examples"))) {
      files = walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .filter(p -> !(p.getFileName().toString().equals("output.yaml") && p.toString().contains("/golden/")))
          .sorted().toList();
    }
    List<Path> withUpstreams = new ArrayList<>();
    for (Path f : files) {
      if (UPSTREAM.matcher(Files.readString(f)).find()) {
        withUpstreams.add(f);
      }
    }
    assertTrue(withUpstreams.size() >= 30, "only " + withUpstreams.size() + " files with Upstreams");

    Map<String, String> summary = new TreeMap<>();
    int routed = 0;
    for (Path file : withUpstreams) {
      List<Path> inputs = new ArrayList<>(List.of(file));
      inputs.addAll(companions(file));
      if (inputs.stream().noneMatch(GlooExamplesTest::definesGatewayClass)) {
        inputs.add(gatewayClass());
      }
      ResourceSnapshot snapshot = UpstreamHarness.load(inputs, false);
      // Gloo kinds of other plugins (only this one is loaded) are reported, not read; nothing else may be wrong
      assertTrue(snapshot.problems().stream().allMatch(p -> p.message().contains("is not served by any loaded plugin")),
          file + ": " + snapshot.problems());
      TranslationResult result = UpstreamHarness.translate(snapshot);

      Set<ResourceKey> referenced = referencedUpstreams(snapshot);
      for (GenericKubernetesResource u : snapshot.list(GenericKubernetesResource.class)) {
        if (!"Upstream".equals(u.getKind()) || !file.equals(sourceOf(snapshot, u, inputs))) {
          continue;
        }
        ResourceKey key = new ResourceKey("Upstream", u.getMetadata().getNamespace(), u.getMetadata().getName());
        Object status = result.statuses().get(key);
        assertTrue(status != null, file + ": no status for " + key);
        Map<String, Object> entry = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) status)
            .get("statuses")).get("gloo-system");
        String state = (String) entry.get("state");
        assertTrue(Set.of("Accepted", "Warning", "Rejected").contains(state), key + " " + state);
        List<String> attachedTo = (List<String>) ((Map<String, Object>) entry.get("details")).get("attachedTo");
        String reason = String.valueOf(entry.get("reason"));
        if (referenced.contains(key)) {
          routed++;
          assertTrue(!attachedTo.isEmpty() || state.equals("Rejected"), key + " is routed to but not attached");
        } else {
          assertTrue(attachedTo.isEmpty(), key + " attached without a route: " + attachedTo);
          assertTrue(state.equals("Rejected") || reason.contains("not attached"), key + ": " + reason);
        }
        summary.put(shared.get().relativize(file) + " " + key.namespacedName(),
            (referenced.contains(key) ? "routed " : "unrouted ") + state + (entry.get("reason") == null ? ""
                : " | " + reason));
      }
    }
    summary.forEach((k, v) -> System.out.println(k + " => " + v));
    assertTrue(routed >= 5, "only " + routed + " Upstreams routed from HTTPRoutes and Edge routes");

    // the shared invalid example is rejected, naming the field
    String noPort = summary.get("gloo-examples/e2e/validation/invalid-resources-invalid-upstream-no-port.yaml "
        + "default/invalid-us");
    assertTrue(noPort != null && noPort.contains("Rejected") && noPort.contains("spec.static.hosts[0].port"),
        String.valueOf(noPort));
    // Lambda and Azure Upstreams routed from HTTPRoutes are rejected: Gloo would call the function, we cannot
    for (String f : List.of("gloo-examples/golden/http-with-lambda-destination/input.yaml default/aws-upstream",
        "gloo-examples/golden/http-with-azure-destination/input.yaml default/azure-upstream")) {
      assertTrue(summary.get(f).startsWith("routed Rejected"), f + " => " + summary.get(f));
    }
    String json = summary.get("gloo-examples/e2e/upstreams/upstream-for-route.yaml default/json-upstream");
    assertEquals("routed Accepted", json);
  }

  /** The GatewayClass Gloo's Helm chart installs, which the e2e manifests assume. */
  private static Path gatewayClass() {
    Path here = Path.of("src/test/resources/examples/gatewayclass.yaml");
    return Files.exists(here) ? here : Path.of("plugins/upstream/src/test/resources/examples/gatewayclass.yaml");
  }

  private static boolean definesGatewayClass(Path file) {
    try {
      return Files.readString(file).contains("kind: GatewayClass");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Files of the same folder that route to Upstreams but define none (the e2e suites' route files). */
  private static List<Path> companions(Path file) throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> siblings = Files.list(file.getParent())) {
      for (Path s : siblings.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        String text = Files.readString(s);
        if (!s.equals(file) && !UPSTREAM.matcher(text).find() && text.contains("kind: HTTPRoute")
            && UPSTREAM_REF.matcher(text).find() && text.contains("Upstream")) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /** The Upstreams named as HTTPRoute backendRefs ({@code group: gloo.solo.io, kind: Upstream}). */
  private static Set<ResourceKey> referencedUpstreams(ResourceSnapshot snapshot) {
    Set<ResourceKey> refs = new TreeSet<>();
    for (HTTPRoute route : snapshot.list(HTTPRoute.class)) {
      if (route.getSpec() == null || route.getSpec().getRules() == null) {
        continue;
      }
      route.getSpec().getRules().forEach(rule -> {
        if (rule.getBackendRefs() != null) {
          rule.getBackendRefs().forEach(b -> {
            if ("gloo.solo.io".equals(b.getGroup()) && "Upstream".equals(b.getKind())) {
              String ns = b.getNamespace() == null ? route.getMetadata().getNamespace() : b.getNamespace();
              refs.add(new ResourceKey("Upstream", ns, b.getName()));
            }
          });
        }
      });
    }
    // Gloo Edge resources are served too: their destinations ({upstream: {name, namespace}}) route to Upstreams
    for (GenericKubernetesResource r : snapshot.list(GenericKubernetesResource.class)) {
      if (Set.of("VirtualService", "RouteTable", "UpstreamGroup").contains(r.getKind())) {
        edgeUpstreams(r.getAdditionalProperties().get("spec"), r.getMetadata().getNamespace(), refs);
      }
    }
    return refs;
  }

  @SuppressWarnings("unchecked")
  private static void edgeUpstreams(Object node, String namespace, Set<ResourceKey> refs) {
    if (node instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if ("upstream".equals(e.getKey()) && e.getValue() instanceof Map<?, ?> ref && ref.get("name") != null) {
          Object ns = ref.get("namespace");
          refs.add(new ResourceKey("Upstream", ns == null ? namespace : ns.toString(), ref.get("name").toString()));
        } else {
          edgeUpstreams(e.getValue(), namespace, refs);
        }
      }
    } else if (node instanceof List<?> list) {
      list.forEach(item -> edgeUpstreams(item, namespace, refs));
    }
  }

  /** Which input defined the resource (companions define no Upstreams, so the file itself). */
  private static Path sourceOf(ResourceSnapshot snapshot, GenericKubernetesResource u, List<Path> inputs) {
    return inputs.get(0);
  }

  private static Optional<Path> sharedDir() {
    return io.gloo.core.testing.SharedDir.find();
  }

}
