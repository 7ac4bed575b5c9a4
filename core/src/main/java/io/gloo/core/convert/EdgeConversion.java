package io.gloo.core.convert;

import io.gloo.core.translate.edge.EdgeSelectors;
import io.gloo.core.translate.gatewayapi.GatewayApi;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gloo Edge resources to Gateway API resources ({@code gloo convert}). One Gateway API Gateway per Edge proxy
 * (each {@code proxyNames} entry; {@code gateway-proxy} by default) in the Edge Gateways' namespace, one listener per
 * Edge Gateway (and per SNI name of each selected VirtualService on an {@code ssl} one); Gloo's two default Gateways
 * in {@code gloo-system} when none is defined, as the Edge translator assumes. Each VirtualService becomes an
 * HTTPRoute attached to the listeners whose Gateways select it (selection as Gloo does it), each RouteTable a child
 * HTTPRoute that delegating rules name ({@link RouteRules}), UpstreamGroups are inlined as weighted backendRefs; every
 * other resource (Services, Upstreams, Secrets, Gateway API resources) passes through unchanged. What has no Gateway
 * API form is recorded in {@link ConversionNotes}. One instance per conversion; not thread-safe.
 */
public final class EdgeConversion {

  static final String GATEWAY_API = "gateway.networking.k8s.io";
  static final String EDGE_GATEWAY_API = "gateway.solo.io/v1";
  static final String GLOO_API = "gloo.solo.io/v1";
  static final String GATEWAY_CLASS = "gloo-gateway";
  private static final String DEFAULT_PROXY = "gateway-proxy";
  private static final String DEFAULT_NAMESPACE = "gloo-system";
  static final JsonMapper MAPPER = JsonMapper.builder().build();

  /** One output resource and the notes printed above it. */
  public record Resource(ObjectNode object, List<String> comments) {}

  /** The conversion: the output resources in order, the notes, and how many Edge resources were converted. */
  public record Result(List<Resource> resources, ConversionNotes notes, int converted) {}

  private final List<JsonNode> passthrough = new ArrayList<>();
  private final List<JsonNode> edgeGateways = new ArrayList<>();
  private final List<JsonNode> virtualServices = new ArrayList<>();
  final Map<String, JsonNode> routeTables = new LinkedHashMap<>();
  final Map<String, JsonNode> upstreamGroups = new HashMap<>();
  final ConversionNotes notes = new ConversionNotes();
  /** The input's RouteOptions and VirtualHostOptions, for optionsConfigRefs. */
  final DelegatedOptions delegatedOptions = new DelegatedOptions(notes);
  /** Output resources created on the way (RouteOptions, DirectResponses, VirtualHostOptions), in creation order. */
  final List<ObjectNode> extra = new ArrayList<>();
  /** ReferenceGrants by {@code targetNamespace/fromKind/fromNamespace}. */
  private final Map<String, ObjectNode> grants = new TreeMap<>();
  /** Gateway API Gateways, one per Edge proxy, by {@code namespace/proxy}. */
  private final Map<String, ObjectNode> proxies = new TreeMap<>();
  /** Per VirtualService key, the listeners (parentRefs) it attaches to. */
  private final Map<String, ArrayNode> parentRefs = new HashMap<>();
  /** Per listener ({@code namespace/proxy/listener}), the VirtualService owning each domain. */
  private final Map<String, Map<String, String>> domainOwners = new HashMap<>();

  private EdgeConversion() {}

  /** Converts parsed manifests (one JSON tree per YAML document). */
  public static Result convert(List<JsonNode> documents) {
    return new EdgeConversion().run(documents);
  }

  private Result run(List<JsonNode> documents) {
    int converted = 0;
    for (JsonNode d : documents) {
      if (d == null || !d.isObject()) {
        continue;
      }
      String api = text(d, "apiVersion");
      String kind = text(d, "kind");
      if ((EDGE_GATEWAY_API.equals(api) || GLOO_API.equals(api)) && text(d.path("metadata"), "namespace") == null
          && d.path("metadata").isObject()) {
        // as the manifest parser reads it: a namespaced object without a namespace is in "default"
        d = d.deepCopy();
        ((ObjectNode) d.get("metadata")).put("namespace", "default");
      }
      boolean edgeKind = EDGE_GATEWAY_API.equals(api) && List.of("Gateway", "VirtualService", "RouteTable")
          .contains(kind) || GLOO_API.equals(api) && "UpstreamGroup".equals(kind);
      if (edgeKind && text(d.path("metadata"), "name") == null) {
        notes.add("summary", kind + " without metadata.name: not converted");
        continue;
      }
      if (EDGE_GATEWAY_API.equals(api) && "Gateway".equals(kind)) {
        edgeGateways.add(d);
      } else if (EDGE_GATEWAY_API.equals(api) && "VirtualService".equals(kind)) {
        virtualServices.add(d);
      } else if (EDGE_GATEWAY_API.equals(api) && "RouteTable".equals(kind)) {
        routeTables.put(key(d), d);
      } else if (GLOO_API.equals(api) && "UpstreamGroup".equals(kind)) {
        upstreamGroups.put(key(d), d);
      } else {
        passthrough.add(d);
        delegatedOptions.offer(d);
        continue;
      }
      converted++;
    }
    // the Edge translator takes resources in key order (namespace, name): so does the conversion
    java.util.Comparator<JsonNode> byKey = java.util.Comparator.comparing(EdgeConversion::key);
    edgeGateways.sort(byKey);
    virtualServices.sort(byKey);
    gateways();
    RouteRules rules = new RouteRules(this);
    List<ObjectNode> routes = new ArrayList<>();
    virtualServices.forEach(vs -> rules.virtualService(key(vs)));
    for (JsonNode vs : virtualServices) {
      routes.add(virtualService(vs, rules));
    }
    routes.addAll(rules.childRoutes());
    for (JsonNode ug : upstreamGroups.values()) {
      notes.add("summary", "UpstreamGroup " + key(ug) + " is inlined as weighted backendRefs where routes use it;"
          + " not written out");
    }
    List<Resource> out = new ArrayList<>();
    boolean hasClass = passthrough.stream().anyMatch(d -> "GatewayClass".equals(text(d, "kind"))
        && GATEWAY_CLASS.equals(text(d.path("metadata"), "name")));
    if (!proxies.isEmpty() && !hasClass) {
      ObjectNode gc = object("GatewayClass", null, GATEWAY_CLASS);
      gc.putObject("spec").put("controllerName", GatewayApi.CONTROLLER_NAME);
      out.add(resource(gc));
    }
    proxies.values().forEach(g -> out.add(resource(g)));
    routes.forEach(r -> out.add(resource(r)));
    extra.forEach(r -> out.add(resource(r)));
    grants.values().forEach(g -> out.add(resource(g)));
    passthrough.forEach(d -> out.add(new Resource((ObjectNode) d, List.of())));
    return new Result(out, notes, converted);
  }

  private Resource resource(ObjectNode o) {
    return new Resource(o, notes.of(describe(o)));
  }

  // ---- Gateways -------------------------------------------------------------------------------------------------

  private record EdgeGateway(String namespace, String name, JsonNode spec) {}

  private void gateways() {
    List<EdgeGateway> gws = new ArrayList<>();
    for (JsonNode g : edgeGateways) {
      gws.add(new EdgeGateway(text(g.path("metadata"), "namespace"), text(g.path("metadata"), "name"),
          g.path("spec")));
    }
    if (gws.isEmpty() && !virtualServices.isEmpty()) {
      gws.add(new EdgeGateway(DEFAULT_NAMESPACE, "gateway-proxy", MAPPER.createObjectNode().put("bindPort", 8080)));
      gws.add(new EdgeGateway(DEFAULT_NAMESPACE, "gateway-proxy-ssl",
          MAPPER.createObjectNode().put("bindPort", 8443).put("ssl", true)));
    }
    Map<String, Map<Integer, String>> ports = new HashMap<>();
    for (EdgeGateway gw : gws) {
      String where = "Gateway.gateway.solo.io " + gw.namespace + "/" + gw.name;
      JsonNode spec = gw.spec;
      int port = spec.path("bindPort").asInt(0);
      if (port < 1 || port > 65535) {
        notes.add("summary", where + ": bindPort " + spec.path("bindPort") + " is not a port; not converted");
        continue;
      }
      if (present(spec, "tcpGateway") || present(spec, "hybridGateway")) {
        notes.add("summary", where + ": tcpGateway/hybridGateway have no HTTPRoute form; not converted");
        continue;
      }
      List<String> proxyNames = new ArrayList<>();
      spec.path("proxyNames").forEach(n -> proxyNames.add(n.asString()));
      if (proxyNames.isEmpty()) {
        proxyNames.add(DEFAULT_PROXY);
      }
      boolean ssl = spec.path("ssl").asBoolean(false);
      List<JsonNode> selected = select(gw, ssl);
      for (String proxy : proxyNames) {
        ObjectNode gateway = proxies.computeIfAbsent(gw.namespace + "/" + proxy, k -> {
          ObjectNode g = object("Gateway", gw.namespace, proxy);
          g.putObject("spec").put("gatewayClassName", GATEWAY_CLASS).putArray("listeners");
          return g;
        });
        String out = describe(gateway);
        String taken = ports.computeIfAbsent(gw.namespace + "/" + proxy, k -> new HashMap<>()).putIfAbsent(port,
            gw.name);
        if (taken != null) {
          notes.add(out, where + ": bindPort " + port + " is already bound on proxy " + proxy + " by Gateway "
              + taken + " (Gloo rejects it too); no listener");
          continue;
        }
        String address = text(spec, "bindAddress");
        if (address != null && !address.equals("::") && !address.equals("0.0.0.0")) {
          notes.add(out, where + ": bindAddress " + address + " has no Gateway API equivalent (listeners bind every"
              + " address); dropped");
        }
        if (spec.path("useProxyProto").asBoolean(false)) {
          notes.add(out, where + ": useProxyProto has no Gateway API equivalent (Gloo Gateway: a ListenerOption);"
              + " dropped");
        }
        if (present(spec.path("httpGateway"), "options")) {
          notes.add(out, where + ": httpGateway.options belong in an HttpListenerOption, which this converter does"
              + " not write; dropped");
        }
        if (present(spec, "options")) {
          notes.add(out, where + ": options belong in a ListenerOption, which this converter does not write;"
              + " dropped");
        }
        ArrayNode listeners = (ArrayNode) gateway.path("spec").path("listeners");
        if (!ssl) {
          String listener = sectionName(gw.name);
          listeners.add(listener(listener, port, "HTTP"));
          selected.forEach(vs -> attach(vs, gw.namespace, proxy, listener));
          continue;
        }
        for (JsonNode vs : selected) {
          tlsListeners(gw, proxy, port, vs, listeners, out);
        }
      }
    }
  }

  private ObjectNode listener(String name, int port, String protocol) {
    ObjectNode l = MAPPER.createObjectNode().put("name", name).put("port", port).put("protocol", protocol);
    l.putObject("allowedRoutes").putObject("namespaces").put("from", "All");
    return l;
  }

  /** An ssl Gateway's filter chain per VirtualService: one HTTPS listener per SNI name (or one without). */
  private void tlsListeners(EdgeGateway gw, String proxy, int port, JsonNode vs, ArrayNode listeners, String out) {
    String vsNs = text(vs.path("metadata"), "namespace");
    String vsName = text(vs.path("metadata"), "name");
    JsonNode ssl = vs.path("spec").path("sslConfig");
    JsonNode secret = ssl.path("secretRef");
    if (text(secret, "name") == null) {
      notes.add(out, "VirtualService " + vsNs + "/" + vsName + ": sslConfig without secretRef (sslFiles, SDS) has no"
          + " Gateway API form; no listener");
      return;
    }
    for (String field : List.of("verifySubjectAltName", "parameters", "alpnProtocols", "oneWayTls", "sslFiles",
        "sds", "ocspStaplePolicy")) {
      if (present(ssl, field)) {
        notes.add(out, "VirtualService " + vsNs + "/" + vsName + ": sslConfig." + field + " is not converted"
            + " (Gateway API listener TLS has certificateRefs only); dropped");
      }
    }
    String secretNs = text(secret, "namespace") == null ? vsNs : text(secret, "namespace");
    if (!secretNs.equals(gw.namespace)) {
      grant(secretNs, "Gateway", gw.namespace, "", "Secret");
    }
    List<String> snis = new ArrayList<>();
    ssl.path("sniDomains").forEach(s -> snis.add(s.asString()));
    if (snis.isEmpty()) {
      snis.add(null);
    }
    for (int i = 0; i < snis.size(); i++) {
      String name = sectionName(gw.name + "-" + vsName + (snis.size() > 1 ? "-" + i : ""));
      ObjectNode l = listener(name, port, "HTTPS");
      if (snis.get(i) != null) {
        l.put("hostname", snis.get(i));
      }
      ObjectNode tls = l.putObject("tls").put("mode", "Terminate");
      ObjectNode cert = tls.putArray("certificateRefs").addObject().put("kind", "Secret")
          .put("name", text(secret, "name"));
      if (!secretNs.equals(gw.namespace)) {
        cert.put("namespace", secretNs);
      }
      listeners.add(l);
      attach(vs, gw.namespace, proxy, name);
    }
  }

  private void attach(JsonNode vs, String gatewayNamespace, String proxy, String listener) {
    // Gloo Edge rejects a VirtualService with a domain another one on the listener has (the first in key order
    // keeps it); Gateway API would merge both routes' rules, so the conversion leaves it off that listener
    Map<String, String> owners = domainOwners.computeIfAbsent(gatewayNamespace + "/" + proxy + "/" + listener,
        k -> new HashMap<>());
    List<String> domains = new ArrayList<>();
    vs.path("spec").path("virtualHost").path("domains").forEach(d -> domains.add(d.asString()));
    if (domains.isEmpty()) {
      domains.add("*");
    }
    for (String d : domains) {
      String owner = owners.get(d);
      if (owner != null && !owner.equals(key(vs))) {
        notes.add("HTTPRoute " + key(vs), "VirtualService " + key(vs) + ": domain " + d + " is also a domain of"
            + " VirtualService " + owner + " on listener " + listener + " of Gateway " + gatewayNamespace + "/"
            + proxy + ": Gloo Edge rejects it there, so it is not attached to that listener");
        return;
      }
    }
    domains.forEach(d -> owners.put(d, key(vs)));
    ArrayNode refs = parentRefs.computeIfAbsent(key(vs), k -> MAPPER.createArrayNode());
    refs.addObject().put("name", proxy).put("namespace", gatewayNamespace).put("sectionName", listener);
  }

  /** Gloo's selection of VirtualServices by an HTTP Gateway (as the Edge translator selects them). */
  private List<JsonNode> select(EdgeGateway gw, boolean ssl) {
    JsonNode http = gw.spec.path("httpGateway");
    JsonNode expressions = http.path("virtualServiceExpressions").path("expressions");
    JsonNode selector = http.path("virtualServiceSelector");
    JsonNode namespaces = http.get("virtualServiceNamespaces");
    Set<String> named = new HashSet<>();
    http.path("virtualServices").forEach(r -> named.add((text(r, "namespace") == null ? gw.namespace
        : text(r, "namespace")) + "/" + text(r, "name")));
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode vs : virtualServices) {
      if (present(vs.path("spec"), "sslConfig") != ssl) {
        continue;
      }
      Map<String, String> labels = labels(vs);
      boolean inNamespace = EdgeSelectors.namespaceMatches(namespaces, text(vs.path("metadata"), "namespace"), null);
      boolean matches;
      if (expressions.size() > 0) {
        matches = EdgeSelectors.expressionsMatch(expressions, labels) == null && inNamespace;
      } else if (selector.size() > 0) {
        matches = EdgeSelectors.labelsMatch(selector, labels) && inNamespace;
      } else if (!named.isEmpty()) {
        matches = named.contains(key(vs));
      } else {
        matches = inNamespace;
      }
      if (matches) {
        out.add(vs);
      }
    }
    return out;
  }

  // ---- VirtualServices ------------------------------------------------------------------------------------------

  private ObjectNode virtualService(JsonNode vs, RouteRules rules) {
    String ns = text(vs.path("metadata"), "namespace");
    String name = text(vs.path("metadata"), "name");
    ObjectNode route = object("HTTPRoute", ns, name);
    String out = describe(route);
    String source = "VirtualService " + ns + "/" + name;
    ObjectNode spec = route.putObject("spec");
    ArrayNode refs = parentRefs.get(key(vs));
    if (refs == null) {
      notes.add(out, source + ": no Gateway selects it; the HTTPRoute has no parentRefs");
    } else {
      spec.set("parentRefs", refs);
    }
    JsonNode vh = vs.path("spec").path("virtualHost");
    List<String> hostnames = new ArrayList<>();
    boolean any = vh.path("domains").isEmpty();
    for (JsonNode d : vh.path("domains")) {
      String domain = d.asString();
      if (domain.equals("*")) {
        any = true;
      } else if (domain.contains(":") || domain.startsWith("*") && !domain.startsWith("*.")) {
        notes.add(out, source + ": domain " + domain + " is not a Gateway API hostname (no ports, wildcards only as"
            + " a leading *.); dropped");
      } else {
        hostnames.add(domain);
      }
    }
    if (!any) {
      ArrayNode h = spec.putArray("hostnames");
      hostnames.forEach(h::add);
    }
    if (present(vs.path("spec"), "displayName")) {
      ((ObjectNode) route.get("metadata")).putObject("annotations").put("gloo.solo.io/display-name",
          text(vs.path("spec"), "displayName"));
    }
    spec.set("rules", rules.rules(source, out, ns, name, vh.path("routes"), null));
    ObjectNode hostOptions = delegatedOptions.merged(source + " virtualHost", out, "VirtualHostOption", ns,
        vh.path("options"), vh.path("optionsConfigRefs"));
    if (!hostOptions.isEmpty()) {
      virtualHostOptions(vs, hostOptions, out, source);
    }
    return route;
  }

  /** virtualHost.options: a VirtualHostOption per Gateway, targeting the listeners the HTTPRoute attaches to. */
  private void virtualHostOptions(JsonNode vs, JsonNode options, String out, String source) {
    ArrayNode refs = parentRefs.get(key(vs));
    if (refs == null) {
      notes.add(out, source + ": virtualHost.options dropped: no listener to attach a VirtualHostOption to");
      return;
    }
    Map<String, ObjectNode> byGateway = new LinkedHashMap<>();
    for (JsonNode ref : refs) {
      String gwNs = text(ref, "namespace");
      ObjectNode vho = byGateway.computeIfAbsent(gwNs, ns -> {
        ObjectNode o = MAPPER.createObjectNode().put("apiVersion", EDGE_GATEWAY_API).put("kind", "VirtualHostOption");
        o.putObject("metadata").put("name", dnsName(text(vs.path("metadata"), "namespace") + "-"
            + text(vs.path("metadata"), "name"))).put("namespace", ns);
        ObjectNode spec = o.putObject("spec");
        spec.putArray("targetRefs");
        spec.set("options", options.deepCopy());
        return o;
      });
      ((ArrayNode) vho.path("spec").path("targetRefs")).addObject().put("group", GATEWAY_API).put("kind", "Gateway")
          .put("name", text(ref, "name")).put("sectionName", text(ref, "sectionName"));
    }
    extra.addAll(byGateway.values());
    notes.add(out, source + ": virtualHost.options became VirtualHostOption(s) on its listeners: they apply to every"
        + " HTTPRoute on those listeners, not only this one");
  }

  // ---- shared helpers -------------------------------------------------------------------------------------------

  /** A ReferenceGrant letting {@code fromKind}s of {@code fromNs} refer to {@code toKind}s in {@code targetNs}. */
  void grant(String targetNs, String fromKind, String fromNs, String toGroup, String toKind) {
    ObjectNode g = grants.computeIfAbsent(targetNs + "/" + fromKind + "/" + fromNs, k -> {
      ObjectNode o = object("ReferenceGrant", targetNs, dnsName("gloo-convert-" + fromKind.toLowerCase() + "-"
          + fromNs));
      o.put("apiVersion", GATEWAY_API + "/v1beta1");
      ObjectNode spec = o.putObject("spec");
      spec.putArray("from").addObject().put("group", GATEWAY_API).put("kind", fromKind).put("namespace", fromNs);
      spec.putArray("to");
      return o;
    });
    ArrayNode to = (ArrayNode) g.path("spec").path("to");
    for (JsonNode t : to) {
      if (toGroup.equals(text(t, "group")) && toKind.equals(text(t, "kind"))) {
        return;
      }
    }
    to.addObject().put("group", toGroup).put("kind", toKind);
  }

  static ObjectNode object(String kind, String namespace, String name) {
    ObjectNode o = MAPPER.createObjectNode().put("apiVersion", GATEWAY_API + "/v1").put("kind", kind);
    ObjectNode meta = o.putObject("metadata").put("name", name);
    if (namespace != null) {
      meta.put("namespace", namespace);
    }
    return o;
  }

  /** How notes name an output resource: {@code Kind namespace/name}. */
  static String describe(JsonNode o) {
    String ns = text(o.path("metadata"), "namespace");
    return text(o, "kind") + " " + (ns == null ? "" : ns + "/") + text(o.path("metadata"), "name");
  }

  static String key(JsonNode d) {
    return text(d.path("metadata"), "namespace") + "/" + text(d.path("metadata"), "name");
  }

  static Map<String, String> labels(JsonNode d) {
    Map<String, String> labels = new HashMap<>();
    d.path("metadata").path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asString()));
    return labels;
  }

  static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v == null || v.isNull() || v.isMissingNode() ? null : v.asString();
  }

  static boolean present(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v != null && !v.isNull() && !v.isMissingNode();
  }

  /** A Gateway API section name (listener, rule): lowercase letters, digits and '-'. */
  static String sectionName(String s) {
    return dnsName(s);
  }

  static String dnsName(String s) {
    String n = s.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
    return n.isEmpty() ? "x" : n.length() > 63 ? n.substring(0, 63).replaceAll("-+$", "") : n;
  }
}
