package io.gloo.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gloo.core.store.ResourceSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark workload, generated programmatically (deterministic: same {@code routes}, same objects):
 * <ul>
 *   <li>GatewayClass {@code gloo-gateway} (controller {@code solo.io/gloo-gateway}) and one Gateway
 *       {@code gloo-system/gw} with an HTTP listener on port 80 admitting routes from All namespaces;</li>
 *   <li>{@code routes} HTTPRoutes, route {@code i} in namespace {@code ns-(i % 10)} with hostname
 *       {@code app-((i / 10) % 5).example.com}, one rule with two matches (PathPrefix + exact header each; path and
 *       header values differ per route) and one backendRef;</li>
 *   <li>a <b>pool</b> of Services: {@code max(1, routes / 100)} per namespace, so 10 routes share one Service
 *       (1,000 Services at 10,000 routes); route {@code i} uses {@code svc-((i / 10) % perNamespace)} of its own
 *       namespace (no ReferenceGrant needed). Each Service has one EndpointSlice with 3 ready endpoints.</li>
 * </ul>
 */
public final class Workload {

  public static final int NAMESPACES = 10;
  public static final int HOSTNAMES = 5;
  public static final int ENDPOINTS_PER_SERVICE = 3;
  public static final String GATEWAY_NAMESPACE = "gloo-system";
  public static final String GATEWAY_NAME = "gw";

  private final int routes;
  private final int servicesPerNamespace;

  public Workload(int routes) {
    this.routes = routes;
    this.servicesPerNamespace = Math.max(1, routes / (NAMESPACES * 10));
  }

  public int routeCount() {
    return routes;
  }

  public static String namespace(int i) {
    return "ns-" + (i % NAMESPACES);
  }

  public GatewayClass gatewayClass() {
    return new GatewayClassBuilder()
        .withNewMetadata().withName("gloo-gateway").withGeneration(1L).endMetadata()
        .withNewSpec().withControllerName("solo.io/gloo-gateway").endSpec()
        .build();
  }

  public Gateway gateway() {
    return new GatewayBuilder()
        .withNewMetadata().withName(GATEWAY_NAME).withNamespace(GATEWAY_NAMESPACE).withGeneration(1L).endMetadata()
        .withNewSpec()
          .withGatewayClassName("gloo-gateway")
          .addNewListener()
            .withName("http").withProtocol("HTTP").withPort(80)
            .withNewAllowedRoutes().withNewNamespaces().withFrom("All").endNamespaces().endAllowedRoutes()
          .endListener()
        .endSpec()
        .build();
  }

  /** Route {@code i}; {@code revision} > 0 changes the path of its first match (a one-route edit). */
  public HTTPRoute route(int i, int revision) {
    String ns = namespace(i);
    String path = "/r" + i + (revision == 0 ? "" : "-rev" + revision);
    return new HTTPRouteBuilder()
        .withNewMetadata().withName("route-" + i).withNamespace(ns).withGeneration(1L + revision).endMetadata()
        .withNewSpec()
          .addNewParentRef().withName(GATEWAY_NAME).withNamespace(GATEWAY_NAMESPACE).endParentRef()
          .withHostnames("app-" + ((i / 10) % HOSTNAMES) + ".example.com")
          .addNewRule()
            .addNewMatch()
              .withNewPath().withType("PathPrefix").withValue(path).endPath()
              .addNewHeader().withType("Exact").withName("x-tenant").withValue("tenant-" + (i % 50)).endHeader()
            .endMatch()
            .addNewMatch()
              .withNewPath().withType("PathPrefix").withValue("/api/v" + (i % 3 + 1) + "/r" + i).endPath()
              .addNewHeader().withType("Exact").withName("x-version").withValue("v" + (i % 7)).endHeader()
            .endMatch()
            .addNewBackendRef().withName(serviceName(i)).withPort(80).endBackendRef()
          .endRule()
        .endSpec()
        .build();
  }

  private String serviceName(int routeIndex) {
    return "svc-" + ((routeIndex / NAMESPACES) % servicesPerNamespace);
  }

  public List<Service> services() {
    List<Service> result = new ArrayList<>();
    for (int n = 0; n < NAMESPACES; n++) {
      for (int s = 0; s < servicesPerNamespace; s++) {
        result.add(new ServiceBuilder()
            .withNewMetadata().withName("svc-" + s).withNamespace("ns-" + n).withGeneration(1L).endMetadata()
            .withNewSpec().addNewPort().withName("http").withPort(80).withProtocol("TCP").endPort().endSpec()
            .build());
      }
    }
    return result;
  }

  public List<EndpointSlice> endpointSlices() {
    List<EndpointSlice> result = new ArrayList<>();
    for (int n = 0; n < NAMESPACES; n++) {
      for (int s = 0; s < servicesPerNamespace; s++) {
        EndpointSliceBuilder b = new EndpointSliceBuilder()
            .withNewMetadata().withName("svc-" + s + "-abcde").withNamespace("ns-" + n).withGeneration(1L)
              .addToLabels("kubernetes.io/service-name", "svc-" + s).endMetadata()
            .withAddressType("IPv4")
            .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort();
        for (int e = 0; e < ENDPOINTS_PER_SERVICE; e++) {
          b.addNewEndpoint().withAddresses("10." + n + "." + (s % 250) + "." + (e + 1 + 10 * (s / 250)))
              .withNewConditions().withReady(true).endConditions().endEndpoint();
        }
        result.add(b.build());
      }
    }
    return result;
  }

  public List<HTTPRoute> routes() {
    List<HTTPRoute> result = new ArrayList<>(routes);
    for (int i = 0; i < routes; i++) {
      result.add(route(i, 0));
    }
    return result;
  }

  /** Every resource: class, Gateway, Services, EndpointSlices, then routes. */
  public List<HasMetadata> resources() {
    List<HasMetadata> all = new ArrayList<>();
    all.add(gatewayClass());
    all.add(gateway());
    all.addAll(services());
    all.addAll(endpointSlices());
    all.addAll(routes());
    return all;
  }

  public ResourceSnapshot snapshot() {
    return ResourceSnapshot.of(resources(), List.of());
  }

  // ---- as files

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** File holding route {@code i} when written with {@code routesPerFile}. */
  public static String routesFileName(int file) {
    return String.format("routes-%04d.yaml", file);
  }

  /**
   * Writes the workload as multi-document YAML: {@code gateway.yaml}, {@code services.yaml} (Services and
   * EndpointSlices) and {@code routes-NNNN.yaml} with {@code routesPerFile} routes each.
   */
  public void writeTo(Path dir, int routesPerFile) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("gateway.yaml"), yaml(List.of(gatewayClass(), gateway())));
      List<HasMetadata> backends = new ArrayList<>(services());
      backends.addAll(endpointSlices());
      Files.writeString(dir.resolve("services.yaml"), yaml(backends));
      int files = (routes + routesPerFile - 1) / routesPerFile;
      for (int f = 0; f < files; f++) {
        Files.write(dir.resolve(routesFileName(f)), routesFile(f, routesPerFile, -1, 0));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The content of routes file {@code file}, with route {@code changed} (if in it) at {@code revision}. */
  public byte[] routesFile(int file, int routesPerFile, int changed, int revision) {
    List<HasMetadata> docs = new ArrayList<>();
    for (int i = file * routesPerFile; i < Math.min(routes, (file + 1) * routesPerFile); i++) {
      docs.add(route(i, i == changed ? revision : 0));
    }
    return yaml(docs).getBytes(StandardCharsets.UTF_8);
  }

  static String yaml(List<? extends HasMetadata> docs) {
    StringBuilder sb = new StringBuilder();
    for (HasMetadata d : docs) {
      String y = SERIALIZATION.asYaml(d);
      if (!y.startsWith("---")) {
        sb.append("---\n");
      }
      sb.append(y);
      if (!y.endsWith("\n")) {
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  /** Writes a workload to a directory: {@code Workload DIR ROUTES [ROUTES_PER_FILE]}. */
  public static void main(String[] args) {
    int routes = Integer.parseInt(args[1]);
    int perFile = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    new Workload(routes).writeTo(Path.of(args[0]), perFile);
  }
}
