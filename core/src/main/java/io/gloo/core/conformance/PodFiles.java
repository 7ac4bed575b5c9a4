package io.gloo.core.conformance;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Files the suite's echo pods read from mounted Secrets and ConfigMaps (their serving certificate, the CA bundle they
 * verify client certificates with), resolved from the Service's Deployment in a {@link ConformanceWorld}. Stateless.
 */
final class PodFiles {

  private PodFiles() {}

  /** A file a pod reads from a mounted Secret or ConfigMap: its kind, {@code namespace/name}, and data key. */
  record MountedFile(String kind, String ref, String key) {}

  /**
   * The echo server's serving certificate when the Service's pods serve TLS: the Secret their Deployment mounts where
   * {@code TLS_SERVER_CERT} points, or null (plain HTTP only). The echo server answers TLS on its HTTPS port (8443)
   * only.
   */
  static String servingCertificate(ConformanceWorld world, String service) {
    MountedFile f = mounted(world, service, "TLS_SERVER_CERT");
    return f == null || !f.kind().equals("Secret") ? null : f.ref();
  }

  /**
   * The file the Service's pods read where their environment variable {@code env} points (e.g.
   * {@code TLS_CLIENT_CACERTS}), resolved through the Deployment's volume mounts and volumes (items map a path to a
   * key; without items the file name is the key), or null.
   */
  static MountedFile mounted(ConformanceWorld world, String service, String env) {
    String ns = service.substring(0, service.indexOf('/'));
    ObjectNode svc = world.get("Service", ns, service.substring(service.indexOf('/') + 1));
    String deployment = svc == null ? null : world.deploymentFor(svc, ns).orElse(null);
    ObjectNode d = deployment == null ? null : world.get("Deployment", ns, deployment);
    if (d == null) {
      return null;
    }
    JsonNode pod = d.path("spec").path("template").path("spec");
    for (JsonNode c : pod.path("containers")) {
      String path = null;
      for (JsonNode e : c.path("env")) {
        if (e.path("name").asString().equals(env)) {
          path = e.path("value").asString(null);
        }
      }
      if (path == null) {
        continue;
      }
      for (JsonNode mount : c.path("volumeMounts")) {
        String dir = mount.path("mountPath").asString("");
        String prefix = dir.endsWith("/") ? dir : dir + "/";
        if (dir.isEmpty() || !path.startsWith(prefix)) {
          continue;
        }
        String file = path.substring(prefix.length());
        for (JsonNode v : pod.path("volumes")) {
          if (!v.path("name").asString().equals(mount.path("name").asString())) {
            continue;
          }
          boolean secret = v.path("secret").isObject();
          JsonNode source = secret ? v.path("secret") : v.path("configMap");
          String name = secret ? source.path("secretName").asString(null) : source.path("name").asString(null);
          if (name == null) {
            continue;
          }
          String key = file;
          for (JsonNode item : source.path("items")) {
            if (item.path("path").asString().equals(file)) {
              key = item.path("key").asString();
            }
          }
          return new MountedFile(secret ? "Secret" : "ConfigMap", ns + "/" + name, key);
        }
      }
    }
    return null;
  }
}
