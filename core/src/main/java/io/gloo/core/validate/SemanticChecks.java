package io.gloo.core.validate;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.re2j.PatternSyntaxException;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.translate.xds.RouteBuilder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Envoy rejects (or would misserve) that the per-field proto rules cannot express, over one Gateway's resources:
 * <ul>
 *   <li>{@code name.duplicate}: two resources of one type with the same name;</li>
 *   <li>{@code rds.missing}: an HTTP connection manager (any filter chain, including the default one) names a
 *       RouteConfiguration that is not in the snapshot (the listener would never warm);</li>
 *   <li>{@code cluster.missing}: a route (cluster, weighted_clusters, request_mirror_policies) names a cluster not in
 *       CDS, except the deliberate {@value RouteBuilder#UNRESOLVED_CLUSTER_PREFIX} clusters of routes whose
 *       {@code cluster_not_found_response_code} is INTERNAL_SERVER_ERROR (the Gateway API's 500 for unresolved
 *       backends);</li>
 *   <li>{@code eds.missing}: an EDS cluster without its ClusterLoadAssignment;</li>
 *   <li>{@code regex.invalid}: a route's safe_regex (path, header, query parameter matchers and the regex_rewrite of
 *       route and redirect actions) is not valid RE2 (checked with RE2J, which implements RE2's syntax);</li>
 *   <li>{@code header.unmodifiable}: a header edit (request or response, route, virtual host, route configuration or
 *       weighted cluster level) that adds or removes a {@code :}-prefixed header or {@code host}, which Envoy refuses
 *       (":-prefixed or host headers may not be modified");</li>
 *   <li>{@code domain.duplicate}: a domain served by two virtual hosts of one RouteConfiguration (case-insensitive,
 *       as Envoy compares them);</li>
 *   <li>{@code tls.*}: an inline certificate chain or private key of a Secret that does not parse, or a key that does
 *       not belong to the leaf certificate; inline trusted CAs that do not parse.</li>
 * </ul>
 * The checks that need nothing but the route itself are also available per route ({@link RouteLocalChecks}), so
 * that the translator can replace one invalid route instead of losing the snapshot.
 */
public final class SemanticChecks {

  private static final String HCM_TYPE_URL =
      "type.googleapis.com/" + HttpConnectionManager.getDescriptor().getFullName();

  private SemanticChecks() {}

  public static List<Finding> check(XdsResources resources) {
    List<Finding> out = new ArrayList<>();
    duplicates(resources.listeners(), out);
    duplicates(resources.routes(), out);
    duplicates(resources.clusters(), out);
    duplicates(resources.endpoints(), out);
    duplicates(resources.secrets(), out);
    rds(resources, out);
    Set<String> clusters = new HashSet<>();
    resources.clusters().forEach(c -> clusters.add(c.getName()));
    for (RouteConfiguration config : resources.routes()) {
      routes(config, clusters, out);
    }
    eds(resources, out);
    for (Secret secret : resources.secrets()) {
      secret(secret, out);
    }
    return out;
  }

  private static void add(Message resource, String path, String rule, String message, List<Finding> out) {
    out.add(SnapshotValidator.finding(resource, new Violation(path, rule, message)));
  }

  private static void duplicates(Collection<? extends Message> resources, List<Finding> out) {
    Set<String> seen = new HashSet<>();
    for (Message r : resources) {
      String name = Resources.getResourceName(r);
      if (!seen.add(name)) {
        add(r, "", "name.duplicate", "another " + r.getDescriptorForType().getName() + " has the same name", out);
      }
    }
  }

  private static void rds(XdsResources resources, List<Finding> out) {
    Set<String> routeNames = new HashSet<>();
    resources.routes().forEach(r -> routeNames.add(r.getName()));
    for (Listener listener : resources.listeners()) {
      for (int c = 0; c < listener.getFilterChainsCount(); c++) {
        rds(listener, listener.getFilterChains(c), "filter_chains[" + c + "]", routeNames, out);
      }
      if (listener.hasDefaultFilterChain()) {
        rds(listener, listener.getDefaultFilterChain(), "default_filter_chain", routeNames, out);
      }
    }
  }

  private static void rds(Listener listener, FilterChain chain, String chainPath, Set<String> routeNames,
      List<Finding> out) {
    for (int f = 0; f < chain.getFiltersCount(); f++) {
      Filter filter = chain.getFilters(f);
      Any config = filter.getTypedConfig();
      if (!HCM_TYPE_URL.equals(config.getTypeUrl())) {
        continue;
      }
      String path = chainPath + ".filters[" + f + "].typed_config";
      HttpConnectionManager hcm;
      try {
        hcm = config.unpack(HttpConnectionManager.class);
      } catch (InvalidProtocolBufferException e) {
        add(listener, path, "any.unpack", "unreadable HttpConnectionManager: " + e.getMessage(), out);
        continue;
      }
      if (hcm.hasRds() && !routeNames.contains(hcm.getRds().getRouteConfigName())) {
        add(listener, path + ".rds.route_config_name", "rds.missing", "RouteConfiguration '"
            + hcm.getRds().getRouteConfigName() + "' is not in the snapshot: the listener would never warm", out);
      }
    }
  }

  private static void eds(XdsResources resources, List<Finding> out) {
    Set<String> assignments = new HashSet<>();
    for (ClusterLoadAssignment cla : resources.endpoints()) {
      assignments.add(cla.getClusterName());
    }
    for (Cluster cluster : resources.clusters()) {
      if (cluster.hasType() && cluster.getType() == Cluster.DiscoveryType.EDS) {
        String service = cluster.getEdsClusterConfig().getServiceName();
        String wanted = service.isEmpty() ? cluster.getName() : service;
        if (!assignments.contains(wanted)) {
          add(cluster, "eds_cluster_config.service_name", "eds.missing",
              "ClusterLoadAssignment '" + wanted + "' is not in the snapshot: the cluster would never warm", out);
        }
      }
    }
  }

  private static void routes(RouteConfiguration config, Set<String> clusters, List<Finding> out) {
    headerEdits(config.getRequestHeadersToAddList(), config.getRequestHeadersToRemoveList(),
        config.getResponseHeadersToAddList(), config.getResponseHeadersToRemoveList(), "", config, out);
    Map<String, Integer> domains = new HashMap<>();
    for (int v = 0; v < config.getVirtualHostsCount(); v++) {
      VirtualHost vhost = config.getVirtualHosts(v);
      String vp = "virtual_hosts[" + v + "]";
      for (int d = 0; d < vhost.getDomainsCount(); d++) {
        String domain = vhost.getDomains(d).toLowerCase(Locale.ROOT);
        Integer first = domains.putIfAbsent(domain, v);
        if (first != null) {
          add(config, vp + ".domains[" + d + "]", "domain.duplicate", "domain '" + vhost.getDomains(d)
              + "' is also served by virtual_hosts[" + first + "] ('" + config.getVirtualHosts(first).getName()
              + "'); Envoy rejects duplicate domains", out);
        }
      }
      headerEdits(vhost.getRequestHeadersToAddList(), vhost.getRequestHeadersToRemoveList(),
          vhost.getResponseHeadersToAddList(), vhost.getResponseHeadersToRemoveList(), vp + ".", config, out);
      if (RouteFacts.of(vhost).clean(clusters)) {
        continue; // nothing to report: skip building a path per route
      }
      for (int r = 0; r < vhost.getRoutesCount(); r++) {
        route(config, vhost.getRoutes(r), vp + ".routes[" + r + "]", clusters, out);
      }
    }
  }

  /**
   * What {@link #route} would look at in every route of a virtual host, computed once per virtual host instance
   * (instances are immutable and the translator reuses them): whether some route fails a {@link RouteLocalChecks}
   * check, and the clusters whose
   * absence would be a finding. A virtual host without invalid regexes whose clusters are all present has no route
   * findings; any other is checked route by route. Weakly keyed by instance, shared by every validator.
   */
  private record RouteFacts(boolean invalidRegex, Set<String> requiredClusters) {
    private static final io.gloo.core.store.WeakIdentityCache<VirtualHost, RouteFacts> BY_VIRTUAL_HOST =
        new io.gloo.core.store.WeakIdentityCache<>();

    static RouteFacts of(VirtualHost vhost) {
      RouteFacts facts = BY_VIRTUAL_HOST.get(vhost);
      if (facts == null) {
        facts = compute(vhost);
        BY_VIRTUAL_HOST.put(vhost, facts);
      }
      return facts;
    }

    boolean clean(Set<String> clusters) {
      return !invalidRegex && clusters.containsAll(requiredClusters);
    }

    /** Mirrors {@link #route}: the same regexes, the same cluster references. */
    private static RouteFacts compute(VirtualHost vhost) {
      boolean invalid = false;
      Set<String> required = new HashSet<>();
      List<Violation> local = new ArrayList<>();
      for (Route route : vhost.getRoutesList()) {
        RouteLocalChecks.route(route, local);
        invalid |= !local.isEmpty();
        local.clear();
        if (!route.hasRoute()) {
          continue;
        }
        RouteAction action = route.getRoute();
        boolean unresolvedAllowed =
            action.getClusterNotFoundResponseCode() == RouteAction.ClusterNotFoundResponseCode.INTERNAL_SERVER_ERROR;
        if (action.hasCluster()) {
          require(action.getCluster(), unresolvedAllowed, required);
        }
        if (action.hasWeightedClusters()) {
          for (WeightedCluster.ClusterWeight c : action.getWeightedClusters().getClustersList()) {
            require(c.getName(), unresolvedAllowed, required);
          }
        }
        for (RouteAction.RequestMirrorPolicy mirror : action.getRequestMirrorPoliciesList()) {
          if (!mirror.getCluster().isEmpty()) {
            require(mirror.getCluster(), false, required);
          }
        }
      }
      return new RouteFacts(invalid, Set.copyOf(required));
    }

    /** As {@link #cluster}: a deliberately unresolved cluster is never a finding. */
    private static void require(String cluster, boolean unresolvedAllowed, Set<String> required) {
      if (!(unresolvedAllowed && cluster.startsWith(RouteBuilder.UNRESOLVED_CLUSTER_PREFIX))) {
        required.add(cluster);
      }
    }
  }

  private static void route(RouteConfiguration config, Route route, String rp, Set<String> clusters,
      List<Finding> out) {
    List<Violation> local = new ArrayList<>();
    RouteLocalChecks.route(route, local);
    for (Violation v : local) {
      add(config, rp + "." + v.path(), v.rule(), v.message(), out);
    }
    if (!route.hasRoute()) {
      return;
    }
    RouteAction action = route.getRoute();
    String ap = rp + ".route";
    boolean unresolvedAllowed =
        action.getClusterNotFoundResponseCode() == RouteAction.ClusterNotFoundResponseCode.INTERNAL_SERVER_ERROR;
    if (action.hasCluster()) {
      cluster(config, action.getCluster(), ap + ".cluster", clusters, unresolvedAllowed, out);
    }
    if (action.hasWeightedClusters()) {
      WeightedCluster weighted = action.getWeightedClusters();
      for (int c = 0; c < weighted.getClustersCount(); c++) {
        cluster(config, weighted.getClusters(c).getName(), ap + ".weighted_clusters.clusters[" + c + "].name",
            clusters, unresolvedAllowed, out);
      }
    }
    for (int m = 0; m < action.getRequestMirrorPoliciesCount(); m++) {
      String mirror = action.getRequestMirrorPolicies(m).getCluster();
      if (!mirror.isEmpty()) {
        cluster(config, mirror, ap + ".request_mirror_policies[" + m + "].cluster", clusters, false, out);
      }
    }
  }

  /** Header edits at a level above routes (virtual host, route configuration), as findings on {@code config}. */
  private static void headerEdits(List<HeaderValueOption> requestAdd, List<String> requestRemove,
      List<HeaderValueOption> responseAdd, List<String> responseRemove, String prefix, RouteConfiguration config,
      List<Finding> out) {
    if (requestAdd.isEmpty() && requestRemove.isEmpty() && responseAdd.isEmpty() && responseRemove.isEmpty()) {
      return;
    }
    List<Violation> found = new ArrayList<>();
    RouteLocalChecks.headerEdits(requestAdd, requestRemove, responseAdd, responseRemove, prefix, found);
    for (Violation v : found) {
      add(config, v.path(), v.rule(), v.message(), out);
    }
  }

  private static void cluster(RouteConfiguration config, String name, String path, Set<String> clusters,
      boolean unresolvedAllowed, List<Finding> out) {
    if (clusters.contains(name)) {
      return;
    }
    if (unresolvedAllowed && name.startsWith(RouteBuilder.UNRESOLVED_CLUSTER_PREFIX)) {
      return; // deliberately absent: Envoy answers 500
    }
    add(config, path, "cluster.missing", "cluster '" + name + "' is not in the snapshot"
        + (name.startsWith(RouteBuilder.UNRESOLVED_CLUSTER_PREFIX)
            ? " (an unresolved backend needs cluster_not_found_response_code INTERNAL_SERVER_ERROR)" : ""), out);
  }

  private static final String VALID = "";
  private static final int REGEX_CACHE_MAX = 50_000;
  /** Verdicts on regexes seen before: most survive from one publish to the next. Cleared when it grows too big. */
  private static final Map<String, String> REGEX_VERDICTS = new ConcurrentHashMap<>();

  /** Why {@code regex} is not valid RE2, or null if it is. */
  public static String regexError(String regex) {
    String verdict = REGEX_VERDICTS.get(regex);
    if (verdict == null) {
      try {
        com.google.re2j.Pattern.compile(regex);
        verdict = VALID;
      } catch (PatternSyntaxException e) {
        verdict = e.getMessage();
      }
      if (REGEX_VERDICTS.size() >= REGEX_CACHE_MAX) {
        REGEX_VERDICTS.clear();
      }
      REGEX_VERDICTS.put(regex, verdict);
    }
    return verdict.isEmpty() ? null : verdict;
  }

  // --- TLS ---------------------------------------------------------------------------------------------------------

  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

  private static void secret(Secret secret, List<Finding> out) {
    if (secret.hasTlsCertificate()) {
      TlsCertificate tls = secret.getTlsCertificate();
      List<X509Certificate> chain = null;
      String chainPem = inline(tls.getCertificateChain());
      if (chainPem != null) {
        try {
          chain = certificates(chainPem);
          if (chain.isEmpty()) {
            add(secret, "tls_certificate.certificate_chain", "tls.certificate", "no PEM certificate found", out);
          }
        } catch (GeneralSecurityException | RuntimeException e) {
          add(secret, "tls_certificate.certificate_chain", "tls.certificate",
              "certificate chain does not parse: " + e.getMessage(), out);
        }
      }
      String keyPem = inline(tls.getPrivateKey());
      PrivateKey key = null;
      if (keyPem != null) {
        try {
          key = privateKey(keyPem);
        } catch (GeneralSecurityException | RuntimeException e) {
          add(secret, "tls_certificate.private_key", "tls.private_key",
              "private key does not parse: " + e.getMessage(), out);
        }
      }
      if (key != null && chain != null && !chain.isEmpty() && !matches(key, chain.get(0).getPublicKey())) {
        add(secret, "tls_certificate.private_key", "tls.key_mismatch",
            "private key does not match the leaf certificate", out);
      }
    }
    if (secret.hasValidationContext() && secret.getValidationContext().hasTrustedCa()) {
      String ca = inline(secret.getValidationContext().getTrustedCa());
      if (ca != null) {
        try {
          if (certificates(ca).isEmpty()) {
            add(secret, "validation_context.trusted_ca", "tls.certificate", "no PEM certificate found", out);
          }
        } catch (GeneralSecurityException | RuntimeException e) {
          add(secret, "validation_context.trusted_ca", "tls.certificate",
              "trusted CA does not parse: " + e.getMessage(), out);
        }
      }
    }
  }

  /** What is wrong with a PEM CA bundle (it must hold at least one X.509 certificate that parses), or null. */
  public static String caCertificateProblem(String pem) {
    try {
      return certificates(pem).isEmpty() ? "holds no PEM certificate" : null;
    } catch (GeneralSecurityException | RuntimeException e) {
      return "does not parse as PEM certificates";
    }
  }

  /**
   * What is wrong with PEM CA certificates (a {@code ca.crt}), or null when there is at least one and all parse.
   * Messages never contain the PEM.
   */
  public static String caCertificatesProblem(String pem) {
    try {
      return certificates(pem).isEmpty() ? "no PEM certificate found" : null;
    } catch (GeneralSecurityException | RuntimeException e) {
      return "CA certificate does not parse: " + e.getMessage();
    }
  }

  /** Only the {@code CERTIFICATE} blocks of PEM text (a CA bundle must never carry a key onward), one per line. */
  public static String certificateBlocks(String pem) {
    StringBuilder out = new StringBuilder();
    Matcher m = PEM.matcher(pem);
    while (m.find()) {
      if (m.group(1).equals("CERTIFICATE")) {
        out.append(m.group().strip()).append('\n');
      }
    }
    return out.toString();
  }

  /**
   * What is wrong with a PEM certificate chain and private key (as in a kubernetes.io/tls Secret), or null when the
   * chain parses, the key parses and belongs to the leaf certificate: the checks this validator applies to Secrets,
   * for translators that must refuse a certificate before it reaches Envoy. Messages never contain key material.
   */
  public static String keyPairProblem(String chainPem, String keyPem) {
    List<X509Certificate> chain;
    try {
      chain = certificates(chainPem);
    } catch (GeneralSecurityException | RuntimeException e) {
      return "certificate chain does not parse";
    }
    if (chain.isEmpty()) {
      return "no PEM certificate found";
    }
    PrivateKey key;
    try {
      key = privateKey(keyPem);
    } catch (GeneralSecurityException | RuntimeException e) {
      return "private key does not parse";
    }
    return key != null && !matches(key, chain.get(0).getPublicKey())
        ? "private key does not match the leaf certificate" : null;
  }

  /** Inline PEM text, or null for file / environment sources (not ours to read). */
  private static String inline(DataSource source) {
    return switch (source.getSpecifierCase()) {
      case INLINE_STRING -> source.getInlineString();
      case INLINE_BYTES -> source.getInlineBytes().toString(StandardCharsets.UTF_8);
      default -> null;
    };
  }

  static List<X509Certificate> certificates(String pem) throws GeneralSecurityException {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    List<X509Certificate> certs = new ArrayList<>();
    Matcher m = PEM.matcher(pem);
    while (m.find()) {
      if (m.group(1).equals("CERTIFICATE")) {
        certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der(m.group(2)))));
      }
    }
    return certs;
  }

  /** PKCS#8 ({@code PRIVATE KEY}) or PKCS#1 ({@code RSA PRIVATE KEY}); other formats are not checked (null). */
  static PrivateKey privateKey(String pem) throws GeneralSecurityException {
    Matcher m = PEM.matcher(pem);
    while (m.find()) {
      String type = m.group(1);
      if (type.equals("PRIVATE KEY")) {
        byte[] der = der(m.group(2));
        GeneralSecurityException last = null;
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
          try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
          } catch (GeneralSecurityException e) {
            last = e;
          }
        }
        throw last;
      }
      if (type.equals("RSA PRIVATE KEY")) {
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs1ToPkcs8(der(m.group(2)))));
      }
      if (type.endsWith("PRIVATE KEY")) {
        return null; // e.g. EC PRIVATE KEY (SEC1) or encrypted: not checked
      }
    }
    throw new GeneralSecurityException("no PEM private key found");
  }

  private static boolean matches(PrivateKey key, PublicKey certKey) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      case "Ed448" -> "Ed448";
      default -> null;
    };
    if (algorithm == null) {
      return true; // not checked
    }
    try {
      byte[] probe = "gloo key match probe".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // e.g. an RSA key for an EC certificate
    }
  }

  private static byte[] der(String base64) {
    return Base64.getMimeDecoder().decode(base64);
  }

  /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption, NULL parameters). */
  private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
    byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
        0x01, 0x05, 0x00};
    byte[] version = {0x02, 0x01, 0x00};
    byte[] octets = tlv(0x04, pkcs1);
    byte[] body = new byte[version.length + algorithm.length + octets.length];
    System.arraycopy(version, 0, body, 0, version.length);
    System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
    System.arraycopy(octets, 0, body, version.length + algorithm.length, octets.length);
    return tlv(0x30, body);
  }

  private static byte[] tlv(int tag, byte[] value) {
    int n = value.length;
    byte[] length;
    if (n < 0x80) {
      length = new byte[] {(byte) n};
    } else if (n < 0x100) {
      length = new byte[] {(byte) 0x81, (byte) n};
    } else if (n < 0x10000) {
      length = new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
    } else {
      length = new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }
    byte[] out = new byte[1 + length.length + n];
    out[0] = (byte) tag;
    System.arraycopy(length, 0, out, 1, length.length);
    System.arraycopy(value, 0, out, 1 + length.length, n);
    return out;
  }
}
