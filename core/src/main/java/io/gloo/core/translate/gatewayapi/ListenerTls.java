package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerTLSConfig;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SecretObjectReference;
import io.gloo.core.ir.TlsIR;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.validate.SemanticChecks;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * An HTTPS listener's {@code tls}: mode Terminate with certificateRefs to kubernetes.io/tls Secrets (another
 * namespace's only with a ReferenceGrant from Gateways). A reference that does not resolve, is not permitted, or whose
 * certificate and key do not parse and match, makes the listener's ResolvedRefs False; such a listener is not
 * programmed. Secret contents never appear in messages.
 */
final class ListenerTls {

  static final String TLS_SECRET_TYPE = "kubernetes.io/tls";

  private final ResourceSnapshot snapshot;
  private final ReferenceGrants grants;

  ListenerTls(ResourceSnapshot snapshot, ReferenceGrants grants) {
    this.snapshot = snapshot;
    this.grants = grants;
  }

  /** SDS name of a Secret's certificate. */
  static String secretName(String namespace, String name) {
    return "secret/" + namespace + "/" + name;
  }

  void resolve(ResourceKey gateway, ListenerContext l) {
    ListenerTLSConfig tls = l.spec.getTls();
    if (tls == null) {
      fail(l, GatewayApi.REASON_INVALID_CERTIFICATE_REF, "an HTTPS listener needs tls with certificateRefs");
      return;
    }
    String mode = tls.getMode() == null ? "Terminate" : tls.getMode();
    if (!mode.equals("Terminate")) {
      l.unsupportedReason = GatewayApi.REASON_UNSUPPORTED_VALUE;
      l.unsupportedMessage = "tls.mode " + mode + " is not valid for an HTTPS listener (only Terminate)";
      return;
    }
    List<SecretObjectReference> refs = tls.getCertificateRefs() == null ? List.of() : tls.getCertificateRefs();
    if (refs.isEmpty()) {
      fail(l, GatewayApi.REASON_INVALID_CERTIFICATE_REF, "tls.certificateRefs is empty");
      return;
    }
    for (int i = 0; i < refs.size(); i++) {
      SecretObjectReference ref = refs.get(i);
      String group = GatewayApi.groupOrCore(ref.getGroup());
      String kind = ref.getKind() == null ? GatewayApi.KIND_SECRET : ref.getKind();
      String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? gateway.namespace() : ref.getNamespace();
      String what = "tls.certificateRefs[" + i + "] " + (group.isEmpty() ? "" : group + "/") + kind + " " + ns + "/"
          + ref.getName();
      if (!group.isEmpty() || !kind.equals(GatewayApi.KIND_SECRET)) {
        fail(l, GatewayApi.REASON_INVALID_CERTIFICATE_REF, what + ": only core Secrets are supported");
        return;
      }
      if (!grants.permits(GatewayApi.GROUP, GatewayApi.KIND_GATEWAY, gateway.namespace(), "",
          GatewayApi.KIND_SECRET, ns, ref.getName())) {
        fail(l, GatewayApi.REASON_REF_NOT_PERMITTED, what + ": no ReferenceGrant in namespace " + ns
            + " allows Gateways from " + gateway.namespace());
        return;
      }
      Secret secret = snapshot.get(Secret.class, ns, ref.getName()).orElse(null);
      if (secret == null) {
        fail(l, GatewayApi.REASON_INVALID_CERTIFICATE_REF, what + ": Secret not found");
        return;
      }
      String crt = value(secret, "tls.crt");
      String key = value(secret, "tls.key");
      if (secret.getType() != null && !secret.getType().equals(TLS_SECRET_TYPE)) {
        fail(l, GatewayApi.REASON_INVALID_CERTIFICATE_REF, what + ": Secret type is " + secret.getType()
            + ", not " + TLS_SECRET_TYPE);
        return;
      }
      if (crt == null || key == null) {
        fail(l, GatewayApi.REASON_INVALID_CERTIFICATE_REF, what + ": Secret lacks tls.crt or tls.key");
        return;
      }
      String problem = SemanticChecks.keyPairProblem(crt, key);
      if (problem != null) {
        fail(l, GatewayApi.REASON_INVALID_CERTIFICATE_REF, what + ": " + problem);
        return;
      }
      l.certificates.add(new TlsIR.Certificate(secretName(ns, ref.getName()),
          new ResourceKey(GatewayApi.KIND_SECRET, ns, ref.getName()), crt, key));
    }
  }

  /** The Gateway's backend client certificate, or why it cannot be used (reason and message; no key material). */
  record ClientCertificate(TlsIR.Certificate certificate, String reason, String message) {}

  static final String REASON_INVALID_CLIENT_CERTIFICATE_REF = "InvalidClientCertificateRef";

  /** SDS name of the client certificate a Gateway presents to TLS backends. */
  static String clientSecretName(String namespace, String name) {
    return "client-secret/" + namespace + "/" + name;
  }

  /**
   * Resolves a Gateway's {@code spec.tls.backend.clientCertificateRef}: a kubernetes.io/tls Secret (another
   * namespace's only with a ReferenceGrant from Gateways) whose certificate and key parse and match.
   */
  ClientCertificate clientCertificate(ResourceKey gateway, SecretObjectReference ref) {
    String group = GatewayApi.groupOrCore(ref.getGroup());
    String kind = ref.getKind() == null ? GatewayApi.KIND_SECRET : ref.getKind();
    String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? gateway.namespace() : ref.getNamespace();
    String what = "tls.backend.clientCertificateRef " + (group.isEmpty() ? "" : group + "/") + kind + " " + ns + "/"
        + ref.getName();
    if (!group.isEmpty() || !kind.equals(GatewayApi.KIND_SECRET)) {
      return new ClientCertificate(null, REASON_INVALID_CLIENT_CERTIFICATE_REF,
          what + ": only core Secrets are supported");
    }
    if (!grants.permits(GatewayApi.GROUP, GatewayApi.KIND_GATEWAY, gateway.namespace(), "",
        GatewayApi.KIND_SECRET, ns, ref.getName())) {
      return new ClientCertificate(null, GatewayApi.REASON_REF_NOT_PERMITTED,
          what + ": no ReferenceGrant in namespace " + ns + " allows Gateways from " + gateway.namespace());
    }
    Secret secret = snapshot.get(Secret.class, ns, ref.getName()).orElse(null);
    if (secret == null) {
      return new ClientCertificate(null, REASON_INVALID_CLIENT_CERTIFICATE_REF, what + ": Secret not found");
    }
    if (secret.getType() != null && !secret.getType().equals(TLS_SECRET_TYPE)) {
      return new ClientCertificate(null, REASON_INVALID_CLIENT_CERTIFICATE_REF,
          what + ": Secret type is " + secret.getType() + ", not " + TLS_SECRET_TYPE);
    }
    String crt = value(secret, "tls.crt");
    String key = value(secret, "tls.key");
    if (crt == null || key == null) {
      return new ClientCertificate(null, REASON_INVALID_CLIENT_CERTIFICATE_REF,
          what + ": Secret lacks tls.crt or tls.key");
    }
    String problem = SemanticChecks.keyPairProblem(crt, key);
    if (problem != null) {
      return new ClientCertificate(null, REASON_INVALID_CLIENT_CERTIFICATE_REF, what + ": " + problem);
    }
    return new ClientCertificate(new TlsIR.Certificate(clientSecretName(ns, ref.getName()),
        new ResourceKey(GatewayApi.KIND_SECRET, ns, ref.getName()), crt, key), null, null);
  }

  private static void fail(ListenerContext l, String reason, String message) {
    l.refsReason = reason;
    l.refsMessage = message;
    l.certificates.clear();
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
    Map<String, String> stringData = secret.getStringData();
    return stringData == null ? null : stringData.get(key);
  }
}
