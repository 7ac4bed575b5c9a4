package io.gloo.core.convert;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.gloo.core.evaluate.TestRequest;
import io.gloo.core.translate.XdsResources;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Requests generated from Edge manifests for round-trip comparisons: for each listener port of the proxy, each domain
 * of each VirtualService (plus a host no VirtualService names), and each route matcher of every VirtualService,
 * RouteTable: a sample path of its prefix, exact path or regex, and probes beside it ({@code /x} below, a longer last
 * segment, a trailing slash, other case), each sent bare (GET, no headers) and with the matcher's headers, query
 * parameters and each of its methods; every one at several random values (for weighted clusters).
 */
public final class RequestSet {

  private static final long[] RANDOM = {0, 1, 3, 7, 9, 99};

  private RequestSet() {}

  public static List<TestRequest> of(List<JsonNode> documents, XdsResources proxy) {
    Set<String> hosts = new LinkedHashSet<>();
    List<JsonNode> matchers = new ArrayList<>();
    for (JsonNode d : documents) {
      String kind = d.path("kind").asString("");
      if (kind.equals("VirtualService")) {
        d.path("spec").path("virtualHost").path("domains").forEach(h -> hosts.add(h.asString()));
        d.path("spec").path("virtualHost").path("routes").forEach(r -> collect(r, matchers));
      } else if (kind.equals("RouteTable")) {
        d.path("spec").path("routes").forEach(r -> collect(r, matchers));
      }
    }
    hosts.remove("*");
    hosts.add("any.example.org");
    List<TestRequest> out = new ArrayList<>();
    for (Listener l : proxy.listeners()) {
      int port = l.getAddress().getSocketAddress().getPortValue();
      boolean tls = l.getFilterChainsList().stream().anyMatch(c -> c.hasTransportSocket());
      for (String host : hosts) {
        for (JsonNode m : matchers) {
          for (String path : paths(m)) {
            for (Variant v : variants(m)) {
              for (long random : RANDOM) {
                TestRequest.Builder b = TestRequest.builder().port(port).scheme(tls ? "https" : "http")
                    .authority(host).method(v.method).path(path + v.query).randomValue(random);
                if (tls) {
                  b.sni(host);
                }
                v.headers.forEach(h -> b.header(h[0], h[1]));
                out.add(b.build());
              }
            }
          }
        }
      }
    }
    return out;
  }

  private static void collect(JsonNode route, List<JsonNode> matchers) {
    if (route.path("matchers").isEmpty()) {
      matchers.add(tools.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("prefix", "/"));
    }
    route.path("matchers").forEach(matchers::add);
  }

  private static List<String> paths(JsonNode m) {
    Set<String> out = new LinkedHashSet<>();
    if (m.has("exact")) {
      String e = m.path("exact").asString();
      out.add(e);
      out.add(e + "/");
      out.add(e.toLowerCase());
    } else if (m.has("regex")) {
      String sample = sample(m.path("regex").asString());
      if (sample != null) {
        out.add(sample);
        out.add(sample + "/x");
      }
    } else {
      String p = m.path("prefix").asString("/");
      out.add(p);
      out.add(p.endsWith("/") ? p + "x" : p + "/x");
      out.add(p + "x");
      out.add(p.toUpperCase());
    }
    return new ArrayList<>(out);
  }

  private record Variant(String method, String query, List<String[]> headers) {}

  private static List<Variant> variants(JsonNode m) {
    List<Variant> out = new ArrayList<>();
    out.add(new Variant("GET", "", List.of()));
    List<String[]> headers = new ArrayList<>();
    for (JsonNode h : m.path("headers")) {
      String value = h.path("value").asString("");
      if (h.path("invertMatch").asBoolean(false)) {
        continue;
      }
      headers.add(new String[] {h.path("name").asString(), value.isEmpty() ? "present"
          : h.path("regex").asBoolean(false) ? sample(value) : value});
    }
    StringBuilder query = new StringBuilder();
    for (JsonNode q : m.path("queryParameters")) {
      String value = q.path("value").asString("");
      query.append(query.length() == 0 ? "?" : "&").append(q.path("name").asString()).append('=')
          .append(value.isEmpty() ? "any" : q.path("regex").asBoolean(false) ? sample(value) : value);
    }
    List<String> methods = new ArrayList<>();
    m.path("methods").forEach(x -> methods.add(x.asString()));
    if (methods.isEmpty()) {
      methods.add("GET");
    }
    for (String method : methods) {
      out.add(new Variant(method, query.toString(), headers));
      if (!headers.isEmpty()) {
        out.add(new Variant(method, query.toString(), List.of()));
      }
    }
    List<String[]> inverted = new ArrayList<>(headers);
    for (JsonNode h : m.path("headers")) {
      if (h.path("invertMatch").asBoolean(false)) {
        inverted.add(new String[] {h.path("name").asString(), "set"});
      }
    }
    if (inverted.size() > headers.size()) {
      out.add(new Variant(methods.get(0), query.toString(), inverted));
    }
    return out;
  }

  /** A string the regular expression matches (simple expressions: classes, quantifiers, escapes), or null. */
  static String sample(String regex) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < regex.length(); i++) {
      char ch = regex.charAt(i);
      switch (ch) {
        case '\\' -> b.append(regex.charAt(++i));
        case '[' -> {
          int end = regex.indexOf(']', i + 1);
          b.append(regex.charAt(i + 1) == '^' ? 'z' : regex.charAt(i + 1));
          i = end;
        }
        case '.' -> b.append('a');
        case '+', '*', '?', '(', ')', '^', '$' -> { }
        case '|' -> i = regex.length();
        default -> b.append(ch);
      }
    }
    String s = b.toString();
    return Pattern.matches(regex, s) ? s : null;
  }
}
