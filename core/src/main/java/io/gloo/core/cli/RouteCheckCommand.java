package io.gloo.core.cli;

import io.gloo.core.evaluate.RouteCheckSuite;
import io.gloo.core.evaluate.RouteDecision;
import io.gloo.core.evaluate.RouteEvaluator;
import io.gloo.core.evaluate.TestRequest;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.store.SourceProblem;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.XdsResources;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gloo route-check}: translates manifests offline and evaluates requests against the result the way Envoy's
 * router would, either a test file in the format of Envoy's router_check_tool or one request. Opens no port. Loads
 * the distribution's plugins in offline mode, as {@code gloo translate} does.
 */
@Command(name = "route-check", mixinStandardHelpOptions = true,
    description = {"Translate manifests offline and check how Envoy would route requests, without running Envoy.",
        "With --tests: run a router_check_tool test file (JSON or YAML) and print PASS/FAIL per test.",
        "With --request: print the full routing decision for one request.",
        "Loads the plugins gloo serve would (same --plugins-dir, --plugins, --plugin-config), opening no port.",
        "Exit status: 0 when every test passes, 1 when one fails, 2 on unusable input."})
final class RouteCheckCommand implements Callable<Integer> {

  @Option(names = {"-f", "--file"}, required = true, arity = "1..*",
      description = "Manifest files or directories (read recursively).")
  List<Path> paths;

  @Option(names = "--max-manifest-bytes", defaultValue = "16MiB", paramLabel = "SIZE", converter = ByteSizeConverter.class,
      description = "Largest manifest file read (bytes, KiB, MiB); a larger one is reported, not read"
          + " (default: ${DEFAULT-VALUE}).")
  long maxManifestBytes;

  @Option(names = "--tests", description = "router_check_tool test file (JSON or YAML).")
  Path tests;

  @Option(names = "--request", description = "One request: \"METHOD URL\", e.g. \"GET http://example.com:8080/api?x=1\".")
  String request;

  @Option(names = {"-H", "--header"}, description = "Request header for --request, 'Name: value' (repeatable).")
  List<String> headers = new ArrayList<>();

  @Option(names = "--random", defaultValue = "0", description = "Random value for weighted clusters (--request).")
  long random;

  @Option(names = "--sni", description = "TLS server name for an https --request (default: the URL's host).")
  String sni;

  @Option(names = "--connect", paramLabel = "tcp:PORT|tls:PORT:SNI|udp:PORT",
      description = "One connection: where a TCP connection, a TLS connection with that SNI, or a UDP datagram to"
          + " PORT goes (TCPRoute, TLSRoute, UDPRoute listeners).")
  String connect;

  @Option(names = "--gateway", description = "NAMESPACE/NAME of the Gateway (needed when there are several).")
  String gateway;

  @Option(names = "--proxy", paramLabel = "NAMESPACE/NAME",
      description = "A Gloo Edge proxy instead of a Gateway: the namespace of its Edge Gateways and the proxy name"
          + " (proxyNames; default gateway-proxy), e.g. gloo-system/gateway-proxy.")
  String proxy;

  @Option(names = "--details", description = "With --tests: print each test's decision, and the trace of failures.")
  boolean details;

  @Option(names = {"-o", "--output"}, defaultValue = "yaml", converter = Output.JsonOrYaml.class,
      description = "--request output: json or yaml.")
  String output;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  PluginOptions plugins;

  @Override
  public Integer call() throws java.io.IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if ((tests != null ? 1 : 0) + (request != null ? 1 : 0) + (connect != null ? 1 : 0) != 1) {
      err.println("gloo route-check: give exactly one of --tests FILE, --request \"METHOD URL\" or --connect"
          + " tcp:PORT|tls:PORT:SNI|udp:PORT");
      return 2;
    }
    TranslationResult result;
    try (OfflinePlugins offline = OfflinePlugins.load(plugins.offline(), err)) {
      ResourceSnapshot snapshot = offline.read(paths, maxManifestBytes);
      for (SourceProblem p : snapshot.problems()) {
        err.println("problem: " + p);
      }
      result = offline.translator(io.gloo.core.translate.xds.RouteReplacement.STANDARD).translate(snapshot);
    } catch (IllegalArgumentException e) { // a malformed --plugin-config
      err.println("gloo route-check: " + e.getMessage());
      return 2;
    }
    XdsResources xds = select(result.gateways(), err);
    if (xds == null) {
      return 2;
    }
    RouteEvaluator evaluator = new RouteEvaluator(xds);
    try {
      if (connect != null) {
        out.print(Output.render(connection(new io.gloo.core.evaluate.L4Evaluator(xds), connect).toJson(), output));
        return 0;
      }
      return request != null ? single(evaluator, out) : suite(evaluator, xds, out);
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      err.println("gloo route-check: " + CliErrors.oneLine(e.getMessage()));
      return 2;
    } finally {
      out.flush();
      err.flush();
    }
  }

  private XdsResources select(Map<ResourceKey, XdsResources> gateways, PrintWriter err) {
    List<String> names = gateways.keySet().stream().map(RouteCheckCommand::describe).toList();
    if (gateway != null && proxy != null) {
      err.println("gloo route-check: give --gateway or --proxy, not both");
      return null;
    }
    if (gateway != null || proxy != null) {
      boolean edge = proxy != null;
      String wanted = edge ? proxy : gateway;
      for (Map.Entry<ResourceKey, XdsResources> e : gateways.entrySet()) {
        if (isEdgeProxy(e.getKey()) == edge && e.getKey().namespacedName().equals(wanted)) {
          return e.getValue();
        }
      }
      err.println("no " + (edge ? "Gloo Edge proxy " : "Gateway ") + wanted + " of our class in the manifests;"
          + " found: " + names);
      return null;
    }
    if (gateways.size() == 1) {
      return gateways.values().iterator().next();
    }
    err.println(gateways.isEmpty() ? "no Gateway of our class in the manifests"
        : "several Gateways (" + names + "): choose one with --gateway NAMESPACE/NAME (--proxy for an Edge"
            + " proxy)");
    return null;
  }

  /** Gloo Edge proxies are keyed {@code Proxy/<namespace>/<name>}, Gateway API Gateways by their own key. */
  private static boolean isEdgeProxy(ResourceKey key) {
    return "Proxy".equals(key.kind());
  }

  private static String describe(ResourceKey key) {
    return (isEdgeProxy(key) ? "proxy " : "") + key.namespacedName();
  }

  /** {@code tcp:PORT}, {@code tls:PORT:SNI} (SNI optional) or {@code udp:PORT}, evaluated. */
  static io.gloo.core.evaluate.L4Decision connection(io.gloo.core.evaluate.L4Evaluator evaluator, String spec) {
    String[] parts = spec.split(":", 3);
    int port;
    try {
      port = Integer.parseInt(parts.length > 1 ? parts[1] : "");
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--connect " + spec + ": want tcp:PORT, tls:PORT:SNI or udp:PORT");
    }
    return switch (parts[0].toLowerCase(java.util.Locale.ROOT)) {
      case "tcp" -> evaluator.tcp(port);
      case "udp" -> evaluator.udp(port);
      case "tls" -> evaluator.tls(port, parts.length > 2 && !parts[2].isEmpty() ? parts[2] : null);
      default -> throw new IllegalArgumentException("--connect " + spec + ": want tcp:PORT, tls:PORT:SNI or udp:PORT");
    };
  }

  private int single(RouteEvaluator evaluator, PrintWriter out) {
    RouteDecision decision = evaluator.evaluate(TestRequest.parse(request, headers, random, sni));
    out.print(Output.render(decision.toJson(), output));
    return 0;
  }

  private int suite(RouteEvaluator evaluator, XdsResources xds, PrintWriter out) {
    RouteCheckFile file = RouteCheckFile.read(tests);
    List<RouteCheckSuite.Case> cases;
    try {
      cases = RouteCheckSuite.parse(file.root(), xds);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file.locate(e.getMessage()), e);
    }
    // Check every case before printing any result, so that a malformed one is one line, not half a report.
    List<RouteCheckSuite.Result> results = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      RouteCheckSuite.Case c = cases.get(i);
      try {
        results.add(RouteCheckSuite.check(c, evaluator));
      } catch (RuntimeException e) { // a value of the wrong type in 'validate', say
        throw new IllegalArgumentException(file.locate("tests[" + i + "] (" + c.name() + ").validate: "
            + CliErrors.oneLine(e.getMessage())), e);
      }
    }
    int failed = 0;
    for (RouteCheckSuite.Result r : results) {
      if (r.passed()) {
        out.println("PASS  " + r.name());
      } else {
        failed++;
        out.println("FAIL  " + r.name() + ": " + String.join("; ", r.failures()));
      }
      if (details) {
        out.println("      " + r.decision().summary());
        r.notes().forEach(n -> out.println("      note: " + n));
        if (!r.passed()) {
          r.decision().trace().forEach(t -> out.println("      | " + t));
        }
      }
    }
    out.println();
    out.println(cases.size() + " tests: " + (cases.size() - failed) + " passed, " + failed + " failed");
    return failed == 0 ? 0 : 1;
  }
}
