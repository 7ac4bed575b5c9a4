package io.gloo.core.cli;

import io.gloo.core.plugin.LoadedPlugins;
import io.gloo.core.plugin.PluginManager;
import io.gloo.core.plugin.PluginProblem;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.Translator;
import io.gloo.core.translate.policy.PluginInvoker;
import io.gloo.core.translate.xds.RouteReplacement;
import io.gloo.core.validate.ProtoConstraintValidator;
import io.gloo.core.watch.DirectorySource;
import io.gloo.core.watch.KindRegistry;
import io.gloo.core.watch.ManifestParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * The plugins of a distribution, loaded once for an offline command so that it reads and translates what
 * {@code gloo serve} would with the same plugin options: their kinds are registered for parsing and their
 * translators, field extensions and sinks run, in {@link io.gloo.spi.PluginContext.Mode#OFFLINE} (no plugin opens
 * a port or starts a service). Translation is built as {@code GlooServer} builds it (same catalog, same check of
 * what plugins produce). Not thread-safe: one command, one thread. Close it to unload the plugins.
 */
final class OfflinePlugins implements AutoCloseable {

  private final KindRegistry kinds = KindRegistry.withBuiltins();
  private final PluginManager manager;
  private final LoadedPlugins plugins;
  private final PluginInvoker invoker = new PluginInvoker();

  private OfflinePlugins(PluginManager.Options options) throws IOException {
    this.manager = new PluginManager(options.offline(), kinds, null);
    this.plugins = manager.rescan();
  }

  /**
   * Loads the plugins {@code options} name (in offline mode whatever {@code options} say); a plugin that fails to
   * load is reported on {@code err}, one line each, and the others load.
   */
  static OfflinePlugins load(PluginManager.Options options, PrintWriter err) throws IOException {
    OfflinePlugins loaded = new OfflinePlugins(options);
    for (PluginProblem problem : loaded.manager.problems()) {
      err.println("problem: " + problem.describe());
    }
    return loaded;
  }

  /**
   * Reads manifests with the built-in kinds and the plugins' (as {@code gloo serve}'s directory source does); a file
   * over {@code maxManifestBytes} is a problem, not read.
   */
  ResourceSnapshot read(List<Path> paths, long maxManifestBytes) {
    return DirectorySource.load(paths, new ManifestParser(kinds), maxManifestBytes);
  }

  /** A translator for the plugins' kinds; what plugins produce is checked against Envoy's constraints. */
  Translator translator(RouteReplacement routeReplacement) {
    ProtoConstraintValidator constraints = new ProtoConstraintValidator();
    return new Translator(plugins.policyCatalog(), invoker,
        message -> constraints.validate(message).stream().map(Object::toString).toList(), routeReplacement);
  }

  @Override
  public void close() {
    manager.close();
    invoker.close();
  }
}
