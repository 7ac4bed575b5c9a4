package io.gloo.core.translate.edge;

import io.fabric8.kubernetes.api.model.Secret;
import io.gloo.core.ir.TlsIR;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.validate.SemanticChecks;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A VirtualService's {@code sslConfig} on an {@code ssl: true} Gateway: the certificate of {@code secretRef} (a
 * {@code kubernetes.io/tls} Secret, or Gloo's {@code gloo.solo.io.TlsSecret} with the same keys), served over SDS
 * as the Gateway API's listener certificates are, and the SNI names it answers ({@code sniDomains}, else the
 * VirtualService's domains; none or {@code *} answers any name). {@code sslFiles} is refused: certificates reach
 * Envoy over SDS from the control plane, which reads Secrets, not files on the proxy's disk; {@code sds} (an external
 * SDS server) is refused too. Other fields are named in a warning and ignored.
 */
final class EdgeTls {

  /** The certificate and SNI names, or a problem; warnings name the fields ignored. */
  record Config(TlsIR.Certificate certificate, List<String> serverNames, String problem, List<String> warnings) {
    Config(TlsIR.Certificate certificate, List<String> serverNames, String problem) {
      this(certificate, serverNames, problem, List.of());
    }
  }

  /** The sslConfig fields served; any other is reported as ignored. */
  private static final java.util.Set<String> SERVED = java.util.Set.of("secretRef", "sniDomains", "sslFiles",
      "sds");

  private EdgeTls() {}

  static Config of(JsonNode ssl, String vsNamespace, List<String> domains, ResourceSnapshot snapshot) {
    if (EdgeApi.present(ssl, "sslFiles")) {
      return new Config(null, List.of(), "sslConfig.sslFiles is not supported: certificates are served to Envoy"
          + " over SDS from Secrets; use secretRef with a kubernetes.io/tls Secret");
    }
    if (EdgeApi.present(ssl, "sds")) {
      return new Config(null, List.of(), "sslConfig.sds is not supported: an external SDS server is not used;"
          + " use secretRef with a kubernetes.io/tls Secret");
    }
    ResourceKey ref = EdgeApi.ref("Secret", ssl.path("secretRef"), vsNamespace);
    if (ref == null) {
      return new Config(null, List.of(), "sslConfig.secretRef is required");
    }
    Secret secret = snapshot.get(Secret.class, ref.namespace(), ref.name()).orElse(null);
    if (secret == null) {
      return new Config(null, List.of(), "sslConfig.secretRef: Secret " + EdgeApi.gloo(ref) + " not found");
    }
    String crt = value(secret, "tls.crt");
    String key = value(secret, "tls.key");
    if (crt == null || key == null) {
      return new Config(null, List.of(), "sslConfig.secretRef: Secret " + EdgeApi.gloo(ref)
          + " lacks tls.crt or tls.key");
    }
    String problem = SemanticChecks.keyPairProblem(crt, key);
    if (problem != null) {
      return new Config(null, List.of(), "sslConfig.secretRef: Secret " + EdgeApi.gloo(ref) + ": " + problem);
    }
    List<String> names = new ArrayList<>();
    ssl.path("sniDomains").forEach(d -> names.add(d.asString()));
    if (names.isEmpty()) {
      names.addAll(domains);
    }
    names.removeIf(n -> n.equals("*"));
    List<String> warnings = new ArrayList<>();
    ssl.properties().forEach(e -> {
      if (!SERVED.contains(e.getKey()) && !e.getValue().isNull()) {
        warnings.add("sslConfig." + e.getKey() + " is not supported and is ignored");
      }
    });
    return new Config(new TlsIR.Certificate("secret/" + ref.namespace() + "/" + ref.name(), ref, crt, key), names,
        null, warnings);
  }

  private static String value(Secret secret, String key) {
    Map<String, String> data = secret.getData();
    if (data != null && data.get(key) != null) {
      try {
        return new String(Base64.getMimeDecoder().decode(data.get(key)), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return secret.getStringData() == null ? null : secret.getStringData().get(key);
  }
}
