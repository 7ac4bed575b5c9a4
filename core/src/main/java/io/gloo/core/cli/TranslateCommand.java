package io.gloo.core.cli;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.gloo.core.report.Reporter;
import io.gloo.core.report.StatusReport;
import io.gloo.core.snapshot.PublishCheck;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.store.SourceProblem;
import io.gloo.core.translate.TranslationJson;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.translate.xds.RouteReplacement;
import io.gloo.core.validate.SnapshotValidator;
import io.gloo.core.plugin.PluginManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code gloo translate}: offline translation; opens no port. Loads the distribution's plugins in offline mode, as
 * {@code gloo serve} would with the same plugin options, so that its output is what serve serves.
 */
@Command(name = "translate", mixinStandardHelpOptions = true,
    description = {"Translate manifests offline and print, per Gateway, the Envoy listeners, route configurations,",
        "clusters and endpoints (Envoy's JSON mapping), and the status of every input resource. Opens no port.",
        "Runs the checks gloo serve runs before publishing: a route Envoy would reject is replaced (or dropped) and",
        "reported in its status, as serve does. Loads the plugins gloo serve would (same --plugins-dir, --plugins and",
        "--plugin-config) in offline mode: no plugin opens a port or starts a service.",
        "Exit status: 0 on success, 1 when an input file has problems (they are printed on stderr)."})
final class TranslateCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = {"-f", "--file"}, required = true, arity = "1..*",
      description = "Manifest files or directories (read recursively).")
  List<Path> paths;

  @Option(names = "--max-manifest-bytes", defaultValue = "16MiB", paramLabel = "SIZE", converter = ByteSizeConverter.class,
      description = "Largest manifest file read (bytes, KiB, MiB); a larger one is reported, not read"
          + " (default: ${DEFAULT-VALUE}).")
  long maxManifestBytes;

  @Option(names = {"-o", "--output"}, defaultValue = "yaml", converter = Output.JsonOrYaml.class,
      description = "json or yaml (default: ${DEFAULT-VALUE}).")
  String output;

  @Option(names = "--route-replacement", defaultValue = "standard", paramLabel = "MODE",
      converter = RouteReplacementConverter.class,
      description = "What becomes of a route Envoy would reject: standard (answers 500 with its match) or strict"
          + " (dropped). Default: ${DEFAULT-VALUE}.")
  RouteReplacement routeReplacement;

  @Mixin
  PluginOptions plugins;

  @Override
  public Integer call() throws java.io.IOException {
    PluginManager.Options pluginOptions;
    try {
      pluginOptions = plugins.offline();
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("gloo translate: " + e.getMessage());
      return 2;
    }
    ResourceSnapshot snapshot;
    TranslationResult result;
    try (OfflinePlugins offline = OfflinePlugins.load(pluginOptions, spec.commandLine().getErr())) {
      snapshot = offline.read(paths, maxManifestBytes);
      for (SourceProblem p : snapshot.problems()) {
        spec.commandLine().getErr().println("problem: " + p);
      }
      result = publishChecked(offline.translator(routeReplacement).translate(snapshot));
    }
    ObjectNode rendered = TranslationJson.render(result);
    spec.commandLine().getOut().print(Output.render(rendered, output));
    spec.commandLine().getOut().flush();
    spec.commandLine().getErr().flush();
    return snapshot.problems().isEmpty() ? 0 : 1;
  }

  /**
   * The check {@code gloo serve} runs before it publishes ({@link PublishCheck}): a Gateway whose snapshot it would
   * refuse says so in its Programmed condition here too, so offline output never claims more than serve does.
   */
  private TranslationResult publishChecked(TranslationResult result) {
    SnapshotValidator validator = new SnapshotValidator();
    StatusReport.Builder statuses = null;
    for (Map.Entry<ResourceKey, XdsResources> gateway : result.gateways().entrySet()) {
      PublishCheck.Verdict verdict = PublishCheck.check(gateway.getValue(), validator);
      Object status = result.statuses().get(gateway.getKey());
      if (verdict.publishable() || !(status instanceof GatewayStatus gs)) {
        continue;
      }
      spec.commandLine().getErr().println("problem: " + gateway.getKey() + ": snapshot would not be published: "
          + String.join("; ", verdict.problems()));
      if (statuses == null) {
        statuses = new StatusReport.Builder().putAll(result.statuses().statuses());
      }
      statuses.put(gateway.getKey(), Reporter.withXdsErrors(gs,
          List.of("snapshot would not be published: " + String.join("; ", verdict.problems()))));
    }
    return statuses == null ? result : new TranslationResult(result.gateways(), statuses.build(), result.invalidRoutes());
  }

  /** {@code standard} or {@code strict}, as picocli's converter. */
  static final class RouteReplacementConverter implements ITypeConverter<RouteReplacement> {
    @Override
    public RouteReplacement convert(String value) {
      try {
        return RouteReplacement.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
