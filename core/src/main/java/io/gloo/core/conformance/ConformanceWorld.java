package io.gloo.core.conformance;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gloo.core.report.Reporter;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.watch.ManifestParser;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Plays the cluster for one conformance test: holds the applied objects as JSON trees (placeholders filled), plays the
 * apiserver's part for {@code metadata.generation}, creates what the suite creates in Go code (the GatewayClass, the
 * certificate Secrets and CA ConfigMaps) and, since no pod runs here, an EndpointSlice with one ready endpoint per
 * Service at a made-up address, remembering which Service each address belongs to.
 */
public final class ConformanceWorld {

  private static final ObjectMapper YAML = YAMLMapper.builder()
      .disable(tools.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final Set<String> CLUSTER_SCOPED = Set.of("GatewayClass", "Namespace", "ClusterRole",
      "ClusterRoleBinding", "CustomResourceDefinition");
  private static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  /** The made-up address the Gateway is reached at (the suite sends requests to the Gateway's status address). */
  public static final String GATEWAY_ADDRESS = "192.0.2.10";
  /** Pods are named by their Deployment plus a ReplicaSet hash and a random suffix; these stand for them. */
  private static final String POD_SUFFIX = "-5d8f7c9b6d-x7k2p";

  private static Map<String, ObjectNode> codeCreated;

  private final LinkedHashMap<String, ObjectNode> objects = new LinkedHashMap<>();
  private final Map<String, String> serviceByAddress = new HashMap<>();
  private final Map<String, String> podPrefixByService = new HashMap<>();
  private final ManifestParser parser = new ManifestParser();
  private final KubernetesSerialization serialization = new KubernetesSerialization();

  /** What the translator made of the current objects. */
  public record Observed(Map<String, XdsResources> gateways, Map<ResourceKey, JsonNode> statuses,
      Map<ResourceKey, Long> generations, Map<ResourceKey, JsonNode> objects, List<String> problems) {}

  /** Applies (creates or replaces) every document of a manifest, placeholders filled. */
  public void apply(String manifest) {
    String text = ConformanceSuite.fillPlaceholders(manifest);
    try (JsonParser p = YAML.createParser(text)) {
      while (p.nextToken() != null) {
        JsonNode doc = YAML.readTree(p);
        if (doc instanceof ObjectNode o && o.has("kind")) {
          put(o);
        }
      }
    }
  }

  /** Creates or replaces one object; generation 1 when new, bumped when its spec changes. */
  public void put(ObjectNode object) {
    fillAddresses(object);
    ObjectNode meta = object.withObjectProperty("metadata");
    String kind = object.path("kind").asString();
    if (!CLUSTER_SCOPED.contains(kind) && !meta.has("namespace")) {
      meta.put("namespace", "default");
    }
    String key = key(kind, meta.path("namespace").asString(null), meta.path("name").asString());
    ObjectNode previous = objects.get(key);
    long generation = 1;
    if (previous != null) {
      generation = previous.path("metadata").path("generation").asLong(1);
      if (!spec(previous).equals(spec(object))) {
        generation++;
      }
    }
    meta.put("generation", generation);
    objects.put(key, object);
  }

  public boolean delete(String kind, String namespace, String name) {
    return objects.remove(key(kind, namespace, name)) != null;
  }

  public ObjectNode get(String kind, String namespace, String name) {
    return objects.get(key(kind, namespace, name));
  }

  /**
   * Patches an object as the suite's update step does: a JSON Patch (an array of {@code add} / {@code replace} /
   * {@code remove} operations, {@code -} appends) or a JSON Merge Patch (an object, as Go's {@code client.MergeFrom}
   * sends); the generation goes up when the spec changed.
   */
  public void patch(String kind, String namespace, String name, JsonNode patch) {
    ObjectNode current = get(kind, namespace, name);
    if (current == null) {
      throw new IllegalArgumentException("no " + kind + " " + namespace + "/" + name + " to patch");
    }
    ObjectNode copy = current.deepCopy();
    Patches.apply(copy, patch);
    put(copy);
  }

  /**
   * The GatewayClass under test (the suite is given it, as installed): its parameters ConfigMap lists the static
   * addresses proxies may take, the suite's usable address pool (the run's {@code --usable-network-addresses} are by
   * definition those the installation can use; see {@code StaticAddresses}).
   */
  public void addGatewayClass() {
    ObjectNode gc = JSON.createObjectNode();
    gc.put("apiVersion", "gateway.networking.k8s.io/v1").put("kind", "GatewayClass");
    gc.putObject("metadata").put("name", ConformanceSuite.GATEWAY_CLASS_NAME);
    ObjectNode spec = gc.putObject("spec").put("controllerName", ConformanceSuite.CONTROLLER_NAME);
    spec.putObject("parametersRef").put("group", "").put("kind", "ConfigMap")
        .put("name", CLASS_PARAMETERS).put("namespace", CLASS_PARAMETERS_NAMESPACE);
    if (get("GatewayClass", null, ConformanceSuite.GATEWAY_CLASS_NAME) == null) {
      put(gc);
      ObjectNode cm = JSON.createObjectNode();
      cm.put("apiVersion", "v1").put("kind", "ConfigMap");
      cm.putObject("metadata").put("name", CLASS_PARAMETERS).put("namespace", CLASS_PARAMETERS_NAMESPACE);
      cm.putObject("data").put(io.gloo.core.translate.gatewayapi.StaticAddresses.POOL_KEY,
          ConformanceSuite.USABLE_ADDRESS);
      put(cm);
    }
  }

  /** The GatewayClass's parameters ConfigMap (where an installation keeps it). */
  static final String CLASS_PARAMETERS = "gloo-gateway-parameters";
  static final String CLASS_PARAMETERS_NAMESPACE = "gloo-system";

  /** The Secrets and ConfigMaps the suite creates in Go code (INDEX.json secretsCreatedInCode). */
  public void addCreatedInCode(JsonNode index) {
    for (ObjectNode o : codeCreated(index).values()) {
      put(o.deepCopy());
    }
  }

  /** Certificates are generated once per process (RSA key generation is the slow part). */
  static synchronized Map<String, ObjectNode> codeCreated(JsonNode index) {
    if (codeCreated != null) {
      return codeCreated;
    }
    Map<String, SuiteCertificates.Issued> cas = new HashMap<>();
    Map<String, ObjectNode> out = new LinkedHashMap<>();
    JsonNode entries = index.path("secretsCreatedInCode");
    // CAs first: leaf certificates name the CA that signs them
    for (JsonNode e : entries) {
      if (e.path("kind").asString().equals("ConfigMap")) {
        SuiteCertificates.Issued ca = SuiteCertificates.issue(spec(e.path("certificate"), List.of(), List.of()), null);
        String caId = e.path("caId").asString().split(" ")[0];
        cas.put(caId, ca);
        ObjectNode cm = object("v1", "ConfigMap", e);
        cm.putObject("data").put("ca.crt", ca.certificatePem()).put("key.crt", ca.privateKeyPem());
        out.put(key(cm), cm);
      }
    }
    for (JsonNode e : entries) {
      if (e.path("kind").asString().equals("Secret")) {
        String signedBy = e.path("certificate").path("signedBy").asString("self-signed");
        SuiteCertificates.Issued issuer = signedBy.equals("self-signed") ? null : cas.get(signedBy.split(" ")[0]);
        SuiteCertificates.Issued cert = SuiteCertificates.issue(
            spec(e.path("certificate"), strings(e.path("dnsSANs")), strings(e.path("uriSANs"))), issuer);
        ObjectNode secret = object("v1", "Secret", e);
        secret.put("type", e.path("type").asString("kubernetes.io/tls"));
        Base64.Encoder b64 = Base64.getEncoder();
        secret.putObject("data")
            .put("tls.crt", b64.encodeToString(cert.certificatePem().getBytes(StandardCharsets.US_ASCII)))
            .put("tls.key", b64.encodeToString(cert.privateKeyPem().getBytes(StandardCharsets.US_ASCII)));
        out.put(key(secret), secret);
      }
    }
    codeCreated = Map.copyOf(out);
    return codeCreated;
  }

  private static SuiteCertificates.Spec spec(JsonNode c, List<String> dns, List<String> uris) {
    Map<String, Object> subject = JSON.convertValue(c.path("subject"), Map.class);
    boolean ca = c.path("isCA").asBoolean(false);
    BigInteger serial = c.has("serialNumber") ? BigInteger.valueOf(c.path("serialNumber").asLong())
        : new BigInteger(64, new java.security.SecureRandom()).add(BigInteger.ONE);
    return new SuiteCertificates.Spec(SuiteCertificates.name(subject), serial, ca, strings(c.path("keyUsage")),
        strings(c.path("extKeyUsage")), dns, uris, 365);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asString()));
    return out;
  }

  private static ObjectNode object(String apiVersion, String kind, JsonNode entry) {
    ObjectNode o = JSON.createObjectNode();
    o.put("apiVersion", apiVersion).put("kind", kind);
    o.putObject("metadata").put("name", entry.path("name").asString())
        .put("namespace", entry.path("namespace").asString());
    return o;
  }

  /**
   * One EndpointSlice per Service that has none in the manifests (and is not ExternalName): one ready endpoint at a
   * made-up 10.x.y.z address, its ports those of the Service (targetPort, or port when the target is named).
   * EndpointSlices the manifests bring are kept; those without endpoints are filled as the suite's Go code fills
   * them ({@link #fillManualSlices}).
   */
  public void synthesizeEndpoints() {
    Set<String> withSlices = new java.util.HashSet<>();
    for (ObjectNode o : objects.values()) {
      if (o.path("kind").asString().equals("EndpointSlice")) {
        String svc = o.path("metadata").path("labels").path(SERVICE_NAME_LABEL).asString(null);
        if (svc != null) {
          withSlices.add(o.path("metadata").path("namespace").asString() + "/" + svc);
        }
      }
    }
    int n = fillManualSlices(0);
    for (ObjectNode svc : List.copyOf(objects.values())) {
      if (!svc.path("kind").asString().equals("Service")
          || svc.path("spec").path("type").asString("").equals("ExternalName")) {
        continue;
      }
      String ns = svc.path("metadata").path("namespace").asString();
      String name = svc.path("metadata").path("name").asString();
      podPrefixByService.putIfAbsent(ns + "/" + name, deploymentFor(svc, ns).orElse(name));
      if (withSlices.contains(ns + "/" + name)) {
        continue; // the test brings its own EndpointSlices; their addresses are not ours to map
      }
      n++;
      String address = "10." + (n >> 16 & 0xFF) + "." + (n >> 8 & 0xFF) + "." + (n & 0xFF);
      serviceByAddress.put(address, ns + "/" + name);
      ObjectNode slice = JSON.createObjectNode();
      slice.put("apiVersion", "discovery.k8s.io/v1").put("kind", "EndpointSlice").put("addressType", "IPv4");
      ObjectNode meta = slice.putObject("metadata").put("name", name + "-conformance").put("namespace", ns);
      meta.putObject("labels").put(SERVICE_NAME_LABEL, name);
      ObjectNode endpoint = slice.putArray("endpoints").addObject();
      endpoint.putArray("addresses").add(address);
      endpoint.putObject("conditions").put("ready", true);
      ArrayNode ports = slice.putArray("ports");
      for (JsonNode p : svc.path("spec").path("ports")) {
        ObjectNode ep = ports.addObject();
        if (p.hasNonNull("name")) {
          ep.put("name", p.path("name").asString());
        }
        JsonNode target = p.get("targetPort");
        ep.put("port", target != null && target.isNumber() ? target.asInt() : p.path("port").asInt());
        ep.put("protocol", p.path("protocol").asString("TCP"));
        if (p.hasNonNull("appProtocol")) {
          ep.put("appProtocol", p.path("appProtocol").asString());
        }
      }
      put(slice);
    }
  }

  /** The Deployment whose pods the suite's Go code puts into EndpointSlices it finds empty (HTTPRouteServiceTypes). */
  static final String INFRA_BACKEND_V1 = "infra-backend-v1";

  /**
   * EndpointSlices a test brings without endpoints stand for those the suite's Go code fills itself: it lists the
   * pods of {@value #INFRA_BACKEND_V1} and patches their IPs into each slice of the matching address family, leaving
   * a slice empty when no pod has an address of its family (HTTPRouteServiceTypes' {@code setupEndpointSlices}).
   * Here pods have IPv4 addresses only: an empty IPv4 slice gets one ready endpoint at a made-up address whose pod is
   * one of {@value #INFRA_BACKEND_V1}; IPv6 slices stay empty. Slices that list endpoints map those addresses to
   * their Service, and to the pod their {@code targetRef} names.
   */
  private int fillManualSlices(int n) {
    for (ObjectNode slice : List.copyOf(objects.values())) {
      if (!slice.path("kind").asString().equals("EndpointSlice")) {
        continue;
      }
      String svc = slice.path("metadata").path("labels").path(SERVICE_NAME_LABEL).asString(null);
      if (svc == null) {
        continue;
      }
      String service = slice.path("metadata").path("namespace").asString() + "/" + svc;
      JsonNode endpoints = slice.path("endpoints");
      if (endpoints.isEmpty()) {
        if (!slice.path("addressType").asString("IPv4").equals("IPv4")) {
          continue;
        }
        n++;
        String address = "10." + (n >> 16 & 0xFF) + "." + (n >> 8 & 0xFF) + "." + (n & 0xFF);
        serviceByAddress.put(address, service);
        podPrefixByService.put(service, INFRA_BACKEND_V1);
        ObjectNode endpoint = slice.putArray("endpoints").addObject();
        endpoint.putArray("addresses").add(address);
        endpoint.putObject("conditions").put("ready", true).put("serving", true).put("terminating", false);
        endpoint.putObject("targetRef").put("kind", "Pod").put("name", INFRA_BACKEND_V1 + POD_SUFFIX)
            .put("namespace", slice.path("metadata").path("namespace").asString());
        continue;
      }
      for (JsonNode endpoint : endpoints) {
        for (JsonNode address : endpoint.path("addresses")) {
          serviceByAddress.putIfAbsent(address.asString(), service);
        }
        if (endpoint.path("targetRef").path("kind").asString("").equals("Pod")) {
          podPrefixByService.putIfAbsent(service, endpoint.path("targetRef").path("name").asString());
        }
      }
    }
    return n;
  }

  /** The Deployment whose pod labels the Service selects: its name is the prefix of the pods' names. */
  java.util.Optional<String> deploymentFor(ObjectNode svc, String ns) {
    JsonNode selector = svc.path("spec").path("selector");
    if (!selector.isObject() || selector.isEmpty()) {
      return java.util.Optional.empty();
    }
    for (ObjectNode o : objects.values()) {
      if (o.path("kind").asString().equals("Deployment") && o.path("metadata").path("namespace").asString().equals(ns)) {
        JsonNode labels = o.path("spec").path("template").path("metadata").path("labels");
        boolean all = true;
        for (Map.Entry<String, JsonNode> e : selector.properties()) {
          all &= labels.path(e.getKey()).asString("").equals(e.getValue().asString());
        }
        if (all) {
          return java.util.Optional.of(o.path("metadata").path("name").asString());
        }
      }
    }
    return java.util.Optional.empty();
  }

  /** {@code namespace/name} of the Service a synthesized endpoint address belongs to, or null. */
  public String serviceAt(String address) {
    String known = serviceByAddress.get(address);
    if (known != null) {
      return known;
    }
    // an address a later step patched into an EndpointSlice
    for (ObjectNode o : objects.values()) {
      if (o.path("kind").asString().equals("EndpointSlice")) {
        for (JsonNode endpoint : o.path("endpoints")) {
          for (JsonNode a : endpoint.path("addresses")) {
            if (a.asString().equals(address)) {
              String svc = o.path("metadata").path("labels").path(SERVICE_NAME_LABEL).asString(null);
              return svc == null ? null : o.path("metadata").path("namespace").asString() + "/" + svc;
            }
          }
        }
      }
    }
    return null;
  }

  /**
   * The addresses {@code gloo serve}'s provisioner gives each of our Gateways: from the proxy Service it renders
   * (externalIPs for usable requested addresses), with the cluster IP the API server allocates to every
   * non-headless Service (a stand-in from the service CIDR; the address itself is not what is checked, that one is
   * assigned). Whether it is reachable is a data-plane matter, not decided here.
   */
  private static Map<ResourceKey, List<io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress>>
      provisionedAddresses(ResourceSnapshot snapshot) {
    Map<ResourceKey, List<io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress>> out =
        new java.util.TreeMap<>();
    int n = 0;
    for (io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway g
        : snapshot.list(io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway.class)) {
      if (g.getSpec() == null || !ConformanceSuite.GATEWAY_CLASS_NAME.equals(g.getSpec().getGatewayClassName())) {
        continue;
      }
      io.fabric8.kubernetes.api.model.Service service = io.gloo.core.provision.ProxyProvisioner.renderedService(g,
          io.gloo.core.provision.ProxyProvisioner.Options.defaults(CLASS_PARAMETERS_NAMESPACE), snapshot);
      n++;
      service.getSpec().setClusterIP("10.96.200." + n);
      out.put(ResourceKey.of(g), io.gloo.core.provision.ProxyProvisioner.addressesOf(service));
    }
    return out;
  }

  /** A pod name standing for the Service's pods (its Deployment's name plus the usual suffixes). */
  public String podName(String service) {
    return podPrefixByService.getOrDefault(service, service.substring(service.indexOf('/') + 1)) + POD_SUFFIX;
  }

  /** Translates the current objects and stamps the statuses through {@code reporter}. */
  public Observed translate(Translator translator, Reporter reporter) {
    StringBuilder text = new StringBuilder();
    for (ObjectNode o : objects.values()) {
      text.append("---\n").append(JSON.writeValueAsString(o)).append('\n');
    }
    ManifestParser.Result parsed = parser.parse("conformance.yaml", text.toString());
    ResourceSnapshot snapshot = ResourceSnapshot.of(parsed.resources(), parsed.problems());
    TranslationResult result = translator.translate(snapshot);
    reporter.translated(result.statuses(), parsed.problems());
    reporter.gatewayAddresses(provisionedAddresses(snapshot));
    Map<String, XdsResources> gateways = new HashMap<>();
    result.gateways().forEach((k, v) -> gateways.put(k.namespacedName(), v));
    Map<ResourceKey, JsonNode> statuses = new HashMap<>();
    reporter.statuses().forEach((k, v) -> statuses.put(k, serialization.convertValue(v, JsonNode.class)));
    Map<ResourceKey, Long> generations = new HashMap<>();
    Map<ResourceKey, JsonNode> trees = new HashMap<>();
    for (HasMetadata r : parsed.resources()) {
      ResourceKey k = ResourceKey.of(r);
      generations.put(k, r.getMetadata().getGeneration());
    }
    for (ObjectNode o : objects.values()) {
      JsonNode m = o.path("metadata");
      trees.put(new ResourceKey(o.path("kind").asString(), m.path("namespace").asString(null),
          m.path("name").asString()), o);
    }
    List<String> problems = parsed.problems().stream().map(Object::toString).toList();
    return new Observed(Map.copyOf(gateways), statuses, generations, trees, problems);
  }

  /** Every object currently applied (a copy of the list). */
  public List<ObjectNode> objects() {
    return List.copyOf(objects.values());
  }

  /**
   * Gateway {@code spec.addresses} entries whose value is PLACEHOLDER_USABLE_ADDRS / PLACEHOLDER_UNUSABLE_ADDRS are
   * replaced by the configured address pools (one IPAddress each), as the suite does.
   */
  private static void fillAddresses(ObjectNode object) {
    if (!object.path("kind").asString().equals("Gateway") || !(object.path("spec").get("addresses")
        instanceof ArrayNode addresses)) {
      return;
    }
    for (int i = 0; i < addresses.size(); i++) {
      String value = addresses.get(i).path("value").asString("");
      String replacement = switch (value) {
        case "PLACEHOLDER_USABLE_ADDRS" -> ConformanceSuite.USABLE_ADDRESS;
        case "PLACEHOLDER_UNUSABLE_ADDRS" -> ConformanceSuite.UNUSABLE_ADDRESS;
        default -> null;
      };
      if (replacement != null) {
        ObjectNode a = JSON.createObjectNode().put("type", "IPAddress").put("value", replacement);
        addresses.set(i, a);
      }
    }
  }

  private static JsonNode spec(ObjectNode o) {
    ObjectNode copy = o.deepCopy();
    copy.remove("status");
    if (copy.get("metadata") instanceof ObjectNode m) {
      m.remove("generation");
      m.remove("resourceVersion");
      m.remove("annotations");
      m.remove("labels");
    }
    return copy;
  }

  private static String key(ObjectNode o) {
    JsonNode m = o.path("metadata");
    return key(o.path("kind").asString(), m.path("namespace").asString(null), m.path("name").asString());
  }

  static String key(String kind, String namespace, String name) {
    return kind + "/" + (namespace == null ? "" : namespace) + "/" + name;
  }

}
