package io.gloo.core.cli;

import io.gloo.core.plugin.PluginListing;
import io.gloo.core.plugin.PluginManager;
import io.gloo.core.translate.TranslationJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/**
 * {@code gloo plugins}: what a plugins directory holds, loaded in offline mode (each plugin's {@code start} runs,
 * since its kinds are only known after it, but nothing is served: no port, no background service), or, with
 * {@code --server}, what a running server has loaded (its admin API's {@code /plugins}). Either way every archive
 * is listed, with why it failed or is disabled.
 */
@Command(name = "plugins", mixinStandardHelpOptions = true,
    description = {"List the plugins in a directory (loaded offline: no plugin opens a port) or, with --server, those",
        "a running gloo serve has loaded: id, version, state (with why it failed), SPI range (Plugin-Requires),",
        "policy kinds and the fields of other kinds a plugin claims. Exit status 0 (failed plugins are listed),",
        "1 when --server does not answer, 2 on bad options."})
final class PluginsCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  PluginOptions plugins;

  @Option(names = "--rbac", description = "Print the ClusterRole (and binding) the plugins' kinds need, as YAML.")
  boolean rbac;

  @Option(names = "--server", paramLabel = "URL",
      description = "Admin API of a running gloo serve, e.g. http://127.0.0.1:9091: list what it has loaded.")
  String server;

  @Option(names = "--admin-token-file", paramLabel = "FILE",
      description = "Bearer token for a server whose admin dumps are widened beyond loopback (--admin-bind).")
  Path adminTokenFile;

  @Option(names = {"-o", "--output"}, defaultValue = "table", converter = Output.TableJsonOrYaml.class,
      description = "table, json or yaml (the admin API's /plugins document).")
  String output;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    JsonNode listing;
    if (server != null && rbac) {
      err.println("gloo plugins: --rbac reads a plugins directory, not a server: drop --server");
      return 2;
    }
    if (server != null) {
      listing = fromServer(err);
      if (listing == null) {
        return 1;
      }
    } else {
      PluginManager.Options options;
      try {
        options = plugins.offline();
      } catch (IllegalArgumentException e) {
        err.println("gloo plugins: " + e.getMessage());
        return 2;
      }
      try (PluginManager manager = new PluginManager(options, io.gloo.core.watch.KindRegistry.withBuiltins(), null)) {
        io.gloo.core.plugin.LoadedPlugins loaded = manager.rescan();
        if (rbac) {
          out.print(PluginRbac.render(loaded));
          out.flush();
          return 0;
        }
        listing = PluginListing.json(manager);
      }
    }
    out.print(output.equals("table") ? render(listing) : Output.render(listing, output));
    out.flush();
    return 0; // failed plugins are part of the listing, not a failure of the command
  }

  /** The server's {@code /plugins}, or null (said on {@code err}) when it does not answer with one. */
  private JsonNode fromServer(PrintWriter err) {
    String url = server.replaceAll("/+$", "") + "/plugins";
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
      if (adminTokenFile != null) {
        request.header("Authorization", "Bearer " + Files.readString(adminTokenFile).strip());
      }
      HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        err.println("gloo plugins: " + url + " answered " + response.statusCode() + ": "
            + CliErrors.oneLine(response.body()));
        return null;
      }
      JsonNode listing = TranslationJson.mapper().readTree(response.body());
      if (!listing.path("plugins").isArray()) {
        err.println("gloo plugins: " + url + " did not answer with a plugin listing (an older gloo serve?)");
        return null;
      }
      return listing;
    } catch (IOException | RuntimeException e) {
      err.println("gloo plugins: no answer from " + url + ": " + CliErrors.oneLine(String.valueOf(e.getMessage())));
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * A table: one row per plugin (ID, VERSION, STATE with the reason, SPI range, first kind), then a row per further
   * kind and per claimed field set ({@code fields of KIND.GROUP: a, b}) in the KINDS column, then the problems.
   */
  static String render(JsonNode listing) {
    StringBuilder text = new StringBuilder();
    if (listing.path("plugins").isEmpty()) {
      return "no plugins in " + listing.path("dir").asString() + "\n";
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ID", "VERSION", "STATE", "SPI", "KINDS"});
    for (JsonNode plugin : listing.path("plugins")) {
      List<String> kinds = new ArrayList<>();
      for (JsonNode kind : plugin.path("kinds")) {
        List<String> attachments = new ArrayList<>();
        kind.path("attachments").forEach(a -> attachments.add(a.asString()));
        kinds.add(kind.path("apiVersion").asString() + " " + kind.path("kind").asString() + " ["
            + String.join(",", attachments) + "]");
      }
      for (JsonNode fields : plugin.path("fields")) {
        List<String> paths = new ArrayList<>();
        fields.path("fields").forEach(f -> paths.add(f.asString()));
        kinds.add("fields of " + fields.path("kind").asString() + ": " + String.join(", ", paths));
      }
      String state = plugin.path("state").asString()
          + (plugin.has("reason") ? ": " + plugin.path("reason").asString() : "");
      if (plugin.has("replacementFailed")) {
        JsonNode failed = plugin.path("replacementFailed");
        state += " (replacement " + dash(failed.path("version").asString()) + " failed to load: "
            + failed.path("reason").asString() + ")";
      }
      rows.add(new String[] {plugin.path("id").asString(), dash(plugin.path("version").asString()), state,
          dash(plugin.path("requires").asString()), kinds.isEmpty() ? "-" : kinds.get(0)});
      for (int i = 1; i < kinds.size(); i++) {
        rows.add(new String[] {"", "", "", "", kinds.get(i)});
      }
    }
    int[] widths = new int[5];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
      }
      text.append(line.toString().stripTrailing()).append('\n');
    }
    return text.toString();
  }

  private static String dash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }
}
