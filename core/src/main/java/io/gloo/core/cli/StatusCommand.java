package io.gloo.core.cli;

import io.gloo.core.report.Reporter;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.store.SourceProblem;
import io.gloo.core.translate.TranslationJson;
import io.gloo.core.translate.TranslationResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code gloo status}: the status of every resource in a config directory. Asks the running server's admin API
 * first, which also knows what proxies ACKed or NACKed; without a running server it translates the directory
 * offline and says so.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Show the status of every resource: from a running 'gloo serve' (its admin API), or, when none",
        "answers, by translating the directory offline (with the plugins gloo serve would load: --plugins-dir,",
        "--plugins, --plugin-config). Exit status 1 when any condition reports a problem."})
final class StatusCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--config-dir", required = true, description = "Directory of Kubernetes YAML manifests.")
  Path configDir;

  @Option(names = "--admin", defaultValue = "http://127.0.0.1:9091",
      description = "Admin API of a running server (default: ${DEFAULT-VALUE}).")
  String admin;

  @Option(names = "--admin-token-file", paramLabel = "FILE",
      description = "Bearer token for a server whose admin dumps are widened beyond loopback (--admin-bind).")
  Path adminTokenFile;

  @Option(names = {"-o", "--output"}, defaultValue = "table", converter = Output.TableJsonOrYaml.class,
      description = "table, json or yaml.")
  String output;

  /** For the offline translation: the plugins the server would load. */
  @picocli.CommandLine.Mixin
  PluginOptions plugins;

  @Override
  public Integer call() {
    JsonNode report = fromServer();
    String origin = "from the running server at " + admin;
    if (report == null) {
      origin = "offline translation of " + configDir + " (no server answered at " + admin + ")";
      report = offline();
    } else if (!serves(report, configDir)) {
      // Another directory's server (or a cluster's) would show statuses that are not this directory's.
      String served = report.path("configDir").isString() ? report.path("configDir").asString() : "no directory";
      origin = "offline translation of " + configDir + " (the server at " + admin + " serves " + served
          + ", not this directory)";
      report = offline();
      if (!output.equals("table")) {
        spec.commandLine().getErr().println("gloo status: " + origin);
        spec.commandLine().getErr().flush();
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    try {
      if (!output.equals("table")) {
        out.print(Output.render(report, output));
        return 0;
      }
      out.println("# " + origin);
      return StatusTable.print(report, out) ? 1 : 0;
    } finally {
      out.flush();
    }
  }

  private JsonNode fromServer() {
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(admin + "/statuses"))
          .timeout(Duration.ofSeconds(5));
      if (adminTokenFile != null) {
        request.header("Authorization", "Bearer " + java.nio.file.Files.readString(adminTokenFile).strip());
      }
      HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? TranslationJson.mapper().readTree(response.body()) : null;
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Whether the server's report is of {@code dir} (compared as real paths where they exist). */
  static boolean serves(JsonNode report, Path dir) {
    JsonNode served = report.path("configDir");
    if (!served.isString()) {
      return false;
    }
    Path theirs = Path.of(served.asString());
    try {
      return theirs.toRealPath().equals(dir.toRealPath());
    } catch (IOException e) {
      return theirs.toAbsolutePath().normalize().equals(dir.toAbsolutePath().normalize());
    }
  }

  private JsonNode offline() {
    ResourceSnapshot snapshot;
    TranslationResult result;
    try (OfflinePlugins offline = OfflinePlugins.load(plugins.offline(), spec.commandLine().getErr())) {
      snapshot = offline.read(List.of(configDir), io.gloo.core.watch.DirectorySource.DEFAULT_MAX_MANIFEST_BYTES);
      result = offline.translator(io.gloo.core.translate.xds.RouteReplacement.STANDARD).translate(snapshot);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Reporter reporter = new Reporter();
    reporter.translated(result.statuses(), snapshot.problems());
    ObjectNode root = TranslationJson.mapper().createObjectNode();
    root.set("statuses", TranslationJson.statuses(reporter.statuses()));
    var problems = root.putArray("sourceProblems");
    for (SourceProblem p : snapshot.problems()) {
      problems.addObject().put("file", p.source()).put("line", p.line()).put("column", p.column())
          .put("message", p.message());
    }
    return root;
  }

  /** Prints statuses as one line per resource, listener and route parent. */
  static final class StatusTable {

    private StatusTable() {}

    /** @return whether any condition reports a problem */
    static boolean print(JsonNode report, PrintWriter out) {
      boolean problem = false;
      for (JsonNode p : report.path("sourceProblems")) {
        problem = true;
        out.printf("FILE %s:%d:%d  %s%n", p.path("file").asString(), p.path("line").asInt(), p.path("column").asInt(),
            p.path("message").asString());
      }
      for (JsonNode p : report.path("pluginProblems")) {
        problem = true;
        out.println("PLUGIN " + p.path("message").asString());
      }
      for (Map.Entry<String, JsonNode> e : report.path("statuses").properties()) {
        JsonNode status = e.getValue();
        if (status.path("statuses").isObject()) {
          // Gloo's shape (Edge resources, policy kinds): one line per reporting namespace; a Rejected Edge
          // resource is a problem
          boolean edge = e.getKey().startsWith("VirtualService/") || e.getKey().startsWith("RouteTable/")
              || e.getKey().startsWith(io.gloo.core.store.ResourceKey.EDGE_GATEWAY_KIND + "/");
          for (Map.Entry<String, JsonNode> ns : status.path("statuses").properties()) {
            String state = ns.getValue().path("state").asString();
            problem |= edge && state.equals("Rejected");
            out.println(e.getKey() + "  " + state + (ns.getValue().has("reason")
                ? "\n      " + ns.getValue().path("reason").asString() : ""));
          }
        } else if (status.has("parents")) {
          for (JsonNode parent : status.path("parents")) {
            JsonNode ref = parent.path("parentRef");
            String name = (ref.has("namespace") ? ref.path("namespace").asString() + "/" : "")
                + ref.path("name").asString() + (ref.has("sectionName") ? "#" + ref.path("sectionName").asString() : "");
            problem |= line(out, e.getKey() + "  parent " + name, parent.path("conditions"));
          }
        } else {
          problem |= line(out, e.getKey(), status.path("conditions"));
          for (JsonNode l : status.path("listeners")) {
            problem |= line(out, "  listener " + l.path("name").asString() + " (attachedRoutes "
                + l.path("attachedRoutes").asInt() + ")", l.path("conditions"));
          }
        }
      }
      return problem;
    }

    private static boolean line(PrintWriter out, String subject, JsonNode conditions) {
      StringBuilder sb = new StringBuilder(subject);
      boolean problem = false;
      StringBuilder messages = new StringBuilder();
      for (JsonNode c : conditions) {
        String type = c.path("type").asString();
        String status = c.path("status").asString();
        // Conflicted and PartiallyInvalid are problems when True; the rest when False.
        boolean bad = type.equals("Conflicted") || type.equals("PartiallyInvalid")
            ? status.equals("True") : status.equals("False");
        sb.append("  ").append(type).append('=').append(status);
        if (bad) {
          problem = true;
          sb.append('(').append(c.path("reason").asString()).append(')');
          messages.append("\n      ").append(type).append(": ").append(c.path("message").asString());
        }
      }
      out.println(sb.append(messages));
      return problem;
    }
  }
}
