package io.gloo.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/** YAML manifests for tests that serve a directory, and a way to write them. */
public final class Manifests {

  private Manifests() {}

  public static String gatewayClass() {
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata:
          name: gloo-gateway
        spec:
          controllerName: solo.io/gloo-gateway
        """;
  }

  /** Gateway {@code namespace/name} of class gloo-gateway with one HTTP listener {@code http} on {@code port}. */
  public static String gateway(String namespace, String name, int port) {
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: %s
          namespace: %s
        spec:
          gatewayClassName: gloo-gateway
          listeners:
            - name: http
              protocol: HTTP
              port: %d
        """.formatted(name, namespace, port);
  }

  public static String service(String namespace, String name, int port) {
    return """
        apiVersion: v1
        kind: Service
        metadata:
          name: %s
          namespace: %s
        spec:
          ports: [{name: http, port: %d}]
        """.formatted(name, namespace, port);
  }

  /** An EndpointSlice of Service {@code namespace/service}, port {@code http} → {@code targetPort}. */
  public static String endpointSlice(String namespace, String service, int targetPort, String... addresses) {
    String endpoints = Arrays.stream(addresses).map(a -> "  - addresses: [\"" + a + "\"]")
        .collect(Collectors.joining("\n"));
    return """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: %s-1
          namespace: %s
          labels: {kubernetes.io/service-name: %s}
        addressType: IPv4
        ports: [{name: http, port: %d}]
        endpoints:
        %s
        """.formatted(service, namespace, service, targetPort, endpoints);
  }

  /**
   * An HTTPRoute {@code namespace/name} attached to Gateway {@code parent} (in its namespace), with one rule
   * matching path prefix {@code path} and sending to {@code backend} ({@code [namespace/]service:port}).
   */
  public static String httpRoute(String namespace, String name, String parent, String hostname, String path,
      String backend) {
    int colon = backend.lastIndexOf(':');
    String service = backend.substring(0, colon);
    String port = backend.substring(colon + 1);
    String backendNs = "";
    int slash = service.indexOf('/');
    if (slash >= 0) {
      backendNs = ", namespace: " + service.substring(0, slash);
      service = service.substring(slash + 1);
    }
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata:
          name: %s
          namespace: %s
        spec:
          parentRefs:
            - name: %s
        %s  rules:
            - matches:
                - path: {type: PathPrefix, value: %s}
              backendRefs:
                - {name: %s%s, port: %s}
        """.formatted(name, namespace, parent, hostname == null ? "" : "  hostnames: [\"" + hostname + "\"]\n", path,
        service, backendNs, port);
  }

  /** Joins documents into one multi-document YAML stream. */
  public static String docs(String... documents) {
    return String.join("---\n", documents);
  }

  /** Writes {@code content} to {@code dir/file} in one write. */
  public static Path write(Path dir, String file, String content) {
    try {
      return Files.writeString(dir.resolve(file), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
