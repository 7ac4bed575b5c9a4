package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.FrontendTLSConfig;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.FrontendTLSValidation;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSPortConfig;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerTLSConfig;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SecretObjectReference;
import io.gloo.core.ir.TlsIR;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.validate.SemanticChecks;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * An HTTPS listener's {@code tls}: mode Terminate with certificateRefs to kubernetes.io/tls Secrets (another
 * namespace's only with a ReferenceGrant from Gateways). A reference that does not resolve, is not permitted, or whose
 * certificate and key do not parse and match, makes the listener's ResolvedRefs False; such a listener is not
 * programmed. Secret contents never appear in messages.
 *
 * <p>The Gateway's {@code spec.tls.frontend} (client certificate validation) applies to its HTTPS listeners: the
 * {@code perPort} entry of the listener's port, else {@code default}. Its {@code caCertificateRefs} name ConfigMaps
 * or Secrets (key {@code ca.crt}; another namespace's only with a ReferenceGrant from Gateways). A reference of another
 * kind makes ResolvedRefs False with InvalidCACertificateKind, one not permitted RefNotPermitted, one not found or
 * without a parsable {@code ca.crt} InvalidCACertificateRef; when no reference resolves the listener is not accepted
 * (NoValidCACertificate) and not served.
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

  /** Resolves an HTTPS listener's certificates, referenced from {@code gateway} (a Gateway or a ListenerSet). */
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
      // A ListenerSet's references need a grant to ListenerSets: the parent Gateway's grants are not inherited.
      if (!grants.permits(GatewayApi.GROUP, gateway.kind(), gateway.namespace(), "",
          GatewayApi.KIND_SECRET, ns, ref.getName())) {
        fail(l, GatewayApi.REASON_REF_NOT_PERMITTED, what + ": no ReferenceGrant in namespace " + ns
            + " allows " + gateway.kind() + "s from " + gateway.namespace());
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

  /** The Gateway's frontend validation of a listener's port: its {@code perPort} entry, else the default; or null. */
  static FrontendTLSValidation frontendValidation(Gateway gateway, int port) {
    if (gateway.getSpec().getTls() == null || gateway.getSpec().getTls().getFrontend() == null) {
      return null;
    }
    FrontendTLSConfig frontend = gateway.getSpec().getTls().getFrontend();
    if (frontend.getPerPort() != null) {
      for (TLSPortConfig perPort : frontend.getPerPort()) {
        if (perPort.getPort() != null && perPort.getPort() == port) {
          return perPort.getTls() == null ? null : perPort.getTls().getValidation();
        }
      }
    }
    return frontend.getDefault() == null ? null : frontend.getDefault().getValidation();
  }

  /** Whether any frontend validation of the Gateway (default or per port) uses mode AllowInsecureFallback. */
  static boolean insecureFallbackConfigured(Gateway gateway) {
    if (gateway.getSpec().getTls() == null || gateway.getSpec().getTls().getFrontend() == null) {
      return false;
    }
    FrontendTLSConfig frontend = gateway.getSpec().getTls().getFrontend();
    List<FrontendTLSValidation> all = new ArrayList<>();
    if (frontend.getDefault() != null) {
      all.add(frontend.getDefault().getValidation());
    }
    if (frontend.getPerPort() != null) {
      frontend.getPerPort().forEach(p -> all.add(p.getTls() == null ? null : p.getTls().getValidation()));
    }
    return all.stream().anyMatch(v -> v != null && GatewayApi.MODE_ALLOW_INSECURE_FALLBACK.equals(v.getMode()));
  }

  /** SDS name of a listener's trusted CA bundle: the references it was read from. */
  static String trustedCaName(List<ResourceKey> sources) {
    StringBuilder name = new StringBuilder("ca");
    for (ResourceKey k : sources) {
      name.append(name.length() == 2 ? "/" : "+").append(k.kind().toLowerCase(java.util.Locale.ROOT)).append('/')
          .append(k.namespace()).append('/').append(k.name());
    }
    return name.toString();
  }

  /** Resolves the client certificate validation of an accepted HTTPS listener of {@code gateway}. */
  void resolveClientValidation(Gateway gateway, ListenerContext l) {
    FrontendTLSValidation validation = frontendValidation(gateway, l.port);
    if (validation == null) {
      return;
    }
    String gatewayNs = gateway.getMetadata().getNamespace();
    String mode = validation.getMode() == null || validation.getMode().isEmpty()
        ? GatewayApi.MODE_ALLOW_VALID_ONLY : validation.getMode();
    if (!mode.equals(GatewayApi.MODE_ALLOW_VALID_ONLY) && !mode.equals(GatewayApi.MODE_ALLOW_INSECURE_FALLBACK)) {
      l.unsupportedReason = GatewayApi.REASON_UNSUPPORTED_VALUE;
      l.unsupportedMessage = "tls.frontend validation mode " + mode + " is not supported (supported: "
          + GatewayApi.MODE_ALLOW_VALID_ONLY + ", " + GatewayApi.MODE_ALLOW_INSECURE_FALLBACK + ")";
      return;
    }
    List<ObjectReference> refs = validation.getCaCertificateRefs() == null ? List.of()
        : validation.getCaCertificateRefs();
    List<ResourceKey> sources = new ArrayList<>();
    StringBuilder pem = new StringBuilder();
    String reason = null;
    String message = null;
    for (int i = 0; i < refs.size(); i++) {
      ObjectReference ref = refs.get(i);
      String group = GatewayApi.groupOrCore(ref.getGroup());
      String kind = ref.getKind() == null ? "" : ref.getKind();
      String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? gatewayNs : ref.getNamespace();
      String what = "tls.frontend caCertificateRefs[" + i + "] " + (group.isEmpty() ? "" : group + "/") + kind + " "
          + ns + "/" + ref.getName();
      String problem = null;
      String problemReason = GatewayApi.REASON_INVALID_CA_CERTIFICATE_REF;
      String ca = null;
      boolean configMap = group.isEmpty() && kind.equals(GatewayApi.KIND_CONFIGMAP);
      boolean secret = group.isEmpty() && kind.equals(GatewayApi.KIND_SECRET);
      if (!configMap && !secret) {
        problemReason = GatewayApi.REASON_INVALID_CA_CERTIFICATE_KIND;
        problem = "unsupported kind (supported: ConfigMap, Secret)";
      } else if (!grants.permits(GatewayApi.GROUP, GatewayApi.KIND_GATEWAY, gatewayNs, "", kind, ns,
          ref.getName())) {
        problemReason = GatewayApi.REASON_REF_NOT_PERMITTED;
        problem = "no ReferenceGrant in namespace " + ns + " allows Gateways from " + gatewayNs;
      } else if (configMap) {
        ConfigMap cm = snapshot.get(ConfigMap.class, ns, ref.getName()).orElse(null);
        if (cm == null) {
          problem = "ConfigMap not found";
        } else if ((ca = configMapValue(cm, CA_KEY)) == null) {
          problem = "ConfigMap lacks " + CA_KEY;
        }
      } else {
        Secret s = snapshot.get(Secret.class, ns, ref.getName()).orElse(null);
        if (s == null) {
          problem = "Secret not found";
        } else if ((ca = value(s, CA_KEY)) == null) {
          problem = "Secret lacks " + CA_KEY;
        }
      }
      if (problem == null) {
        problem = SemanticChecks.caCertificatesProblem(ca);
      }
      if (problem != null) {
        if (reason == null) {
          reason = problemReason;
          message = what + ": " + problem;
        }
        continue;
      }
      sources.add(new ResourceKey(kind, ns, ref.getName()));
      pem.append(SemanticChecks.certificateBlocks(ca));
    }
    if (refs.isEmpty()) {
      reason = GatewayApi.REASON_INVALID_CA_CERTIFICATE_REF;
      message = "tls.frontend validation has no caCertificateRefs";
    }
    if (sources.isEmpty()) {
      if (l.refsReason == null) {
        l.refsReason = reason;
        l.refsMessage = message;
      }
      l.unsupportedReason = GatewayApi.REASON_NO_VALID_CA_CERTIFICATE;
      l.unsupportedMessage = "no valid CA certificate for client certificate validation: " + message;
      return;
    }
    l.caRefsReason = reason;
    l.caRefsMessage = message;
    l.clientValidation = new TlsIR.ClientValidation(
        new TlsIR.TrustedCa(trustedCaName(sources), sources, pem.toString()),
        mode.equals(GatewayApi.MODE_ALLOW_INSECURE_FALLBACK));
  }

  static final String CA_KEY = "ca.crt";

  private static String configMapValue(ConfigMap cm, String key) {
    if (cm.getData() != null && cm.getData().get(key) != null) {
      return cm.getData().get(key);
    }
    if (cm.getBinaryData() != null && cm.getBinaryData().get(key) != null) {
      try {
        return new String(Base64.getMimeDecoder().decode(cm.getBinaryData().get(key)), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return null;
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
