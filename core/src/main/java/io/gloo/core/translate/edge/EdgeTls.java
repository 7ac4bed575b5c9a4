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
 * VirtualService's domains; none or {@code *} answers any name). {@code sslFiles} and {@code sds} are not supported.
 */
final class EdgeTls {

  /** The certificate and SNI names, or a problem. */
  record Config(TlsIR.Certificate certificate, List<String> serverNames, String problem) {}

  private EdgeTls() {}

  static Config of(JsonNode ssl, String vsNamespace, List<String> domains, ResourceSnapshot snapshot) {
    if (EdgeApi.present(ssl, "sslFiles") || EdgeApi.present(ssl, "sds")) {
      return new Config(null, List.of(), "sslConfig: only secretRef is supported (not sslFiles or sds)");
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
    return new Config(new TlsIR.Certificate("secret/" + ref.namespace() + "/" + ref.name(), ref, crt, key), names,
        null);
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
