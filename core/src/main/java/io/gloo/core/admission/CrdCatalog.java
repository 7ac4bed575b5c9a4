package io.gloo.core.admission;

import com.google.errorprone.annotations.ThreadSafe;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The CRDs the control plane admits objects against, read once from the classpath: the Gateway API's (v1.6.1,
 * experimental channel, unmodified; see {@code gateway-api/NOTICE.md} beside them) and the Gloo CRDs this project
 * ships ({@code dist/src/install/crds}, copied; a test keeps the copies equal). At run time they are read from the
 * compact JSON form the build writes ({@link CompactCrds}). Immutable.
 */
@ThreadSafe
public final class CrdCatalog {

  static final String GATEWAY_API_GROUP = "gateway.networking.k8s.io";
  static final String GATEWAY_API_VERSION = "v1.6.1";

  private static final String BASE = "/io/gloo/core/admission/";
  private static final List<String> GATEWAY_API = List.of("backendtlspolicies", "gatewayclasses", "gateways",
      "grpcroutes", "httproutes", "listenersets", "referencegrants", "tcproutes", "tlsroutes", "udproutes");
  private static final List<String> GLOO = List.of("enterprise.gloo.solo.io_v1_AuthConfig",
      "gateway.solo.io_v1_RouteOption", "gateway.solo.io_v1_VirtualHostOption", "gloo.solo.io_v1_Upstream",
      "ratelimit.solo.io_v1alpha1_RateLimitConfig",
      // the Gloo Edge API (core reads these)
      "gateway.solo.io_v1_Gateway", "gateway.solo.io_v1_VirtualService", "gateway.solo.io_v1_RouteTable",
      "gloo.solo.io_v1_UpstreamGroup",
      // Gloo Gateway's DirectResponse (core serves it)
      "gateway.gloo.solo.io_v1alpha1_DirectResponse");

  /** One shipped CRD: its YAML resource and who defines it. */
  record Source(String resource, String origin) {}

  /** The shipped CRDs, in catalog order. */
  static final List<Source> SOURCES = sources();

  private static final class Holder {
    static final CrdCatalog STANDARD = load();
  }

  private final Map<String, Crd> byGroupKind;

  CrdCatalog(List<Crd> crds) {
    Map<String, Crd> map = new LinkedHashMap<>();
    crds.forEach(c -> map.put(key(c.group(), c.kind()), c));
    this.byGroupKind = Map.copyOf(map);
  }

  /** The shipped CRDs (loaded on first use, then shared). */
  public static CrdCatalog standard() {
    return Holder.STANDARD;
  }

  public Optional<Crd> find(String group, String kind) {
    return Optional.ofNullable(byGroupKind.get(key(group, kind)));
  }

  /** The kinds this catalog knows in {@code group}. */
  public List<String> kindsOf(String group) {
    return byGroupKind.values().stream().filter(c -> c.group().equals(group)).map(Crd::kind).sorted().toList();
  }

  public List<Crd> all() {
    return List.copyOf(byGroupKind.values());
  }

  private static List<Source> sources() {
    List<Source> sources = new ArrayList<>();
    for (String name : GATEWAY_API) {
      sources.add(new Source(BASE + "gateway-api/" + GATEWAY_API_GROUP + "_" + name + ".yaml",
          "Gateway API " + GATEWAY_API_VERSION));
    }
    for (String name : GLOO) {
      sources.add(new Source(BASE + "gloo/" + name + ".yaml", "Gloo"));
    }
    return List.copyOf(sources);
  }

  /** From the compact form written at build time ({@link CompactCrds}), else (running from sources) the YAML. */
  private static CrdCatalog load() {
    List<JsonNode> compact = CompactCrds.read();
    return compact != null ? fromCompact(compact) : fromYaml();
  }

  static CrdCatalog fromCompact(List<JsonNode> compact) {
    List<Crd> crds = new ArrayList<>();
    for (JsonNode entry : compact) {
      crds.add(parse(entry.path("crd"), entry.path("origin").asString()));
    }
    return new CrdCatalog(crds);
  }

  static CrdCatalog fromYaml() {
    ObjectMapper yaml = new YAMLMapper();
    List<Crd> crds = new ArrayList<>();
    for (Source source : SOURCES) {
      crds.add(parse(readYaml(yaml, source.resource()), source.origin()));
    }
    return new CrdCatalog(crds);
  }

  static JsonNode readYaml(ObjectMapper yaml, String resource) {
    try (InputStream in = CrdCatalog.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      return yaml.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Crd parse(JsonNode crd, String origin) {
    JsonNode spec = crd.path("spec");
    List<Crd.Version> versions = new ArrayList<>();
    for (JsonNode v : spec.path("versions")) {
      versions.add(new Crd.Version(v.path("name").asString(), v.path("served").asBoolean(false),
          v.path("storage").asBoolean(false), v.path("schema").path("openAPIV3Schema")));
    }
    return new Crd(spec.path("group").asString(), spec.path("names").path("kind").asString(),
        "Namespaced".equals(spec.path("scope").asString()), versions, origin);
  }

  private static String key(String group, String kind) {
    return group + "/" + kind;
  }
}
