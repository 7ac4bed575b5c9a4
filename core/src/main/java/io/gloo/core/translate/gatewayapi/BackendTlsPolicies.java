package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicySpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicyValidation;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalPolicyTargetReferenceWithSectionName;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyAncestorStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SubjectAltName;
import io.gloo.core.ir.UpstreamTlsIR;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.validate.SemanticChecks;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * BackendTLSPolicy (gateway.networking.k8s.io/v1): TLS from the proxy to the Services (optionally one named port,
 * {@code sectionName}) it targets. The backend certificate is validated against the CA bundles of the
 * {@code caCertificateRefs} ConfigMaps ({@code ca.crt}) or the system CAs ({@code wellKnownCACertificates: System});
 * {@code hostname} is the SNI and, unless {@code subjectAltNames} are given, the name the certificate must carry.
 *
 * <p>Of several policies targeting the same Service port (same {@code sectionName}, or both none) the oldest
 * (creationTimestamp, then namespace/name) wins; the others are Accepted False, Conflicted, and not applied. A policy
 * naming a port wins over one naming the whole Service for that port. A policy with no valid CA certificate is
 * Accepted False (NoValidCACertificate); requests to its backends then answer 500 rather than go out in plaintext.
 * Status is reported per Gateway (ancestor) whose routes use a targeted Service port.
 */
final class BackendTlsPolicies {

  static final String KIND = "BackendTLSPolicy";
  static final String KIND_CONFIGMAP = "ConfigMap";
  static final String CA_KEY = "ca.crt";
  static final String WELL_KNOWN_SYSTEM = "System";
  static final String REASON_CONFLICTED = "Conflicted";
  static final String REASON_NO_VALID_CA = "NoValidCACertificate";
  static final String REASON_INVALID_CA_REF = "InvalidCACertificateRef";

  /** One policy, validated. */
  static final class Policy {
    final BackendTLSPolicy resource;
    final ResourceKey key;
    /** Accepted False reason and message, or null when accepted. */
    String rejectedReason;
    String rejectedMessage;
    /** ResolvedRefs False reason and messages, or null when all refs resolve. */
    String refsReason;
    final List<String> refsMessages = new ArrayList<>();
    /** The TLS settings when accepted. */
    UpstreamTlsIR tls;
    /** Gateways whose routes use a Service port the policy applies to (or would, were it accepted). */
    final Set<ResourceKey> ancestors = new LinkedHashSet<>();

    Policy(BackendTLSPolicy resource) {
      this.resource = resource;
      this.key = new ResourceKey(KIND, resource.getMetadata().getNamespace(), resource.getMetadata().getName());
    }

    boolean accepted() {
      return rejectedReason == null;
    }
  }

  private final List<Policy> policies = new ArrayList<>();
  /** {@code namespace/service/sectionName} ("" for the whole Service) → the policies targeting it, oldest first. */
  private final Map<String, List<Policy>> byTarget = new HashMap<>();

  /**
   * {@code PolicyStatus.Ancestors} holds at most 16 entries (the CRD's MaxItems: the API server refuses a longer
   * list, losing the whole status write), and once full the spec says no further entries are added.
   */
  static final int MAX_ANCESTORS = 16;

  private final ResourceSnapshot snapshot;

  BackendTlsPolicies(ResourceSnapshot snapshot) {
    this.snapshot = snapshot;
    List<BackendTLSPolicy> all = new ArrayList<>(snapshot.list(BackendTLSPolicy.class));
    all.sort(Comparator.comparing((BackendTLSPolicy p) -> Objects.toString(p.getMetadata().getCreationTimestamp(), ""))
        .thenComparing(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()));
    for (BackendTLSPolicy resource : all) {
      Policy p = new Policy(resource);
      policies.add(p);
      validate(snapshot, p);
      BackendTLSPolicySpec spec = resource.getSpec();
      Set<String> targets = new LinkedHashSet<>();
      for (LocalPolicyTargetReferenceWithSectionName t : spec == null || spec.getTargetRefs() == null
          ? List.<LocalPolicyTargetReferenceWithSectionName>of() : spec.getTargetRefs()) {
        if (GatewayApi.groupOrCore(t.getGroup()).isEmpty() && GatewayApi.KIND_SERVICE.equals(t.getKind())) {
          targets.add(p.key.namespace() + "/" + t.getName() + "/" + Objects.toString(t.getSectionName(), ""));
        }
      }
      for (String target : targets) {
        List<Policy> others = byTarget.computeIfAbsent(target, k -> new ArrayList<>());
        if (!others.isEmpty() && p.accepted()) {
          p.rejectedReason = REASON_CONFLICTED;
          p.rejectedMessage = "BackendTLSPolicy " + others.get(0).key.namespacedName()
              + " is older and targets the same " + describe(target);
          p.tls = null;
        }
        others.add(p);
      }
    }
  }

  /** {@code ns/service/section} as "Service ns/service" or "Service ns/service port section". */
  private static String describe(String target) {
    int last = target.lastIndexOf('/');
    String section = target.substring(last + 1);
    return "Service " + target.substring(0, last) + (section.isEmpty() ? "" : " port " + section);
  }

  private static void validate(ResourceSnapshot snapshot, Policy p) {
    BackendTLSPolicySpec spec = p.resource.getSpec();
    BackendTLSPolicyValidation validation = spec == null ? null : spec.getValidation();
    if (validation == null || validation.getHostname() == null || validation.getHostname().isEmpty()) {
      p.rejectedReason = GatewayApi.REASON_INVALID;
      p.rejectedMessage = "validation.hostname is required";
      return;
    }
    List<LocalObjectReference> refs = validation.getCaCertificateRefs() == null ? List.of()
        : validation.getCaCertificateRefs();
    String wellKnown = validation.getWellKnownCACertificates();
    if (wellKnown != null && !wellKnown.isEmpty() && !refs.isEmpty()) {
      p.rejectedReason = GatewayApi.REASON_INVALID;
      p.rejectedMessage = "validation: caCertificateRefs and wellKnownCACertificates are mutually exclusive";
      return;
    }
    StringBuilder bundle = new StringBuilder();
    String ns = p.key.namespace();
    for (int i = 0; i < refs.size(); i++) {
      LocalObjectReference ref = refs.get(i);
      String group = GatewayApi.groupOrCore(ref.getGroup());
      String what = "validation.caCertificateRefs[" + i + "] " + (group.isEmpty() ? "" : group + "/") + ref.getKind()
          + " " + ns + "/" + ref.getName();
      if (!group.isEmpty() || !KIND_CONFIGMAP.equals(ref.getKind())) {
        refFailure(p, GatewayApi.REASON_INVALID_KIND, what + ": unsupported kind (supported: ConfigMap)");
        continue;
      }
      ConfigMap configMap = snapshot.get(ConfigMap.class, ns, ref.getName()).orElse(null);
      String pem = configMap == null || configMap.getData() == null ? null : configMap.getData().get(CA_KEY);
      if (configMap == null) {
        refFailure(p, REASON_INVALID_CA_REF, what + ": ConfigMap not found");
        continue;
      }
      if (pem == null || pem.isBlank()) {
        refFailure(p, REASON_INVALID_CA_REF, what + ": ConfigMap has no " + CA_KEY);
        continue;
      }
      String problem = SemanticChecks.caCertificateProblem(pem);
      if (problem != null) {
        refFailure(p, REASON_INVALID_CA_REF, what + ": " + CA_KEY + " " + problem);
        continue;
      }
      bundle.append(pem.endsWith("\n") ? pem : pem + "\n");
    }
    boolean system = WELL_KNOWN_SYSTEM.equals(wellKnown);
    if (wellKnown != null && !wellKnown.isEmpty() && !system) {
      p.rejectedReason = GatewayApi.REASON_INVALID;
      p.rejectedMessage = "validation.wellKnownCACertificates " + wellKnown + " is not supported (supported: System)";
      return;
    }
    if (!system && bundle.length() == 0) {
      p.rejectedReason = REASON_NO_VALID_CA;
      p.rejectedMessage = refs.isEmpty() ? "validation names no CA certificates"
          : "none of validation.caCertificateRefs is a valid CA certificate";
      return;
    }
    String hostname = validation.getHostname();
    List<UpstreamTlsIR.SubjectAltName> sans = new ArrayList<>();
    for (SubjectAltName san : validation.getSubjectAltNames() == null ? List.<SubjectAltName>of()
        : validation.getSubjectAltNames()) {
      if ("URI".equals(san.getType()) && san.getUri() != null) {
        sans.add(new UpstreamTlsIR.SubjectAltName(UpstreamTlsIR.SubjectAltName.Type.URI, san.getUri()));
      } else if (san.getHostname() != null) {
        sans.add(new UpstreamTlsIR.SubjectAltName(UpstreamTlsIR.SubjectAltName.Type.DNS, san.getHostname()));
      }
    }
    if (sans.isEmpty()) {
      sans.add(new UpstreamTlsIR.SubjectAltName(UpstreamTlsIR.SubjectAltName.Type.DNS, hostname));
    }
    p.tls = new UpstreamTlsIR(p.key, hostname, system ? null : caSecretName(ns, p.key.name()),
        system ? null : bundle.toString(), sans, null);
  }

  private static void refFailure(Policy p, String reason, String message) {
    if (p.refsReason == null) {
      p.refsReason = reason;
    }
    p.refsMessages.add(message);
  }

  /** SDS name of a policy's trusted CA bundle. */
  static String caSecretName(String namespace, String policy) {
    return "backendtls-ca/" + namespace + "/" + policy;
  }

  /**
   * The policy that applies to a Service port, if any: one naming the port wins over one naming the whole Service;
   * among those the oldest (the others are Conflicted).
   */
  Policy forServicePort(String namespace, String service, ServicePort port) {
    String base = namespace + "/" + service + "/";
    if (port.getName() != null && !port.getName().isEmpty()) {
      List<Policy> named = byTarget.get(base + port.getName());
      if (named != null) {
        return named.get(0);
      }
    }
    List<Policy> whole = byTarget.get(base);
    return whole == null ? null : whole.get(0);
  }

  /** Every policy targeting the Service port (the winner and those it conflicts with), to report on. */
  List<Policy> allForServicePort(String namespace, String service, ServicePort port) {
    List<Policy> out = new ArrayList<>();
    String base = namespace + "/" + service + "/";
    if (port.getName() != null && !port.getName().isEmpty()) {
      out.addAll(byTarget.getOrDefault(base + port.getName(), List.of()));
    }
    out.addAll(byTarget.getOrDefault(base, List.of()));
    return out;
  }

  /**
   * The ancestors a policy's status lists, oldest Gateway first (creationTimestamp, then namespace/name), at most
   * {@link #MAX_ANCESTORS}: beyond that the oldest. The spec keeps the entries already in a full list and adds no
   * more; a translation keeps no memory of earlier statuses, and the oldest Gateways are the ones a controller saw
   * first, so this choice is that rule made deterministic (the status writer, sharing the list with other
   * controllers, cuts from the end too). The other Gateways still use the policy; they are not listed.
   */
  List<ResourceKey> reportedAncestors(Policy p) {
    List<ResourceKey> ordered = new ArrayList<>(p.ancestors);
    ordered.sort(Comparator.comparing((ResourceKey g) -> snapshot.get(
            io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway.class, g.namespace(), g.name())
        .map(gw -> Objects.toString(gw.getMetadata().getCreationTimestamp(), "")).orElse(""))
        .thenComparing(ResourceKey::namespacedName));
    return List.copyOf(ordered.subList(0, Math.min(MAX_ANCESTORS, ordered.size())));
  }

  /** Statuses of the policies with at least one ancestor of ours (at most {@link #MAX_ANCESTORS} each). */
  Map<ResourceKey, Object> statuses() {
    Map<ResourceKey, Object> out = new LinkedHashMap<>();
    for (Policy p : policies) {
      if (p.ancestors.isEmpty()) {
        continue;
      }
      List<PolicyAncestorStatus> ancestors = new ArrayList<>();
      for (ResourceKey gateway : reportedAncestors(p)) {
        Conditions c = new Conditions(p.resource.getMetadata().getGeneration());
        if (p.accepted()) {
          c.set(GatewayApi.ACCEPTED, true, GatewayApi.REASON_ACCEPTED, "policy accepted");
        } else {
          c.set(GatewayApi.ACCEPTED, false, p.rejectedReason, p.rejectedMessage);
        }
        if (p.refsReason == null) {
          c.set(GatewayApi.RESOLVED_REFS, true, GatewayApi.REASON_RESOLVED_REFS, "all references resolved");
        } else {
          c.set(GatewayApi.RESOLVED_REFS, false, p.refsReason, String.join("; ", p.refsMessages));
        }
        PolicyAncestorStatus a = new PolicyAncestorStatus();
        ParentReference ref = new ParentReference();
        ref.setGroup(GatewayApi.GROUP);
        ref.setKind(GatewayApi.KIND_GATEWAY);
        ref.setNamespace(gateway.namespace());
        ref.setName(gateway.name());
        a.setAncestorRef(ref);
        a.setControllerName(GatewayApi.CONTROLLER_NAME);
        a.setConditions(c.build());
        ancestors.add(a);
      }
      PolicyStatus status = new PolicyStatus();
      status.setAncestors(ancestors);
      out.put(p.key, status);
    }
    return out;
  }
}
