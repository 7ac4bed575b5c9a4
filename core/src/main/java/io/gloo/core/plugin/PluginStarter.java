package io.gloo.core.plugin;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.gloo.core.plugin.PluginEntry.Fingerprint;
import io.gloo.core.plugin.PluginEntry.RegisteredKind;
import io.gloo.core.watch.KindRegistry;
import io.gloo.spi.GlooPlugin;
import io.gloo.spi.PluginContext.Mode;
import io.gloo.spi.policy.FieldExtension;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyKind;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.pf4j.DefaultVersionManager;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginStatusProvider;
import org.pf4j.VersionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loading and unloading one archive for {@link PluginManager}: expand it (or take its {@link PluginCache} copy),
 * read its manifest, check id, version and SPI range, create its {@link PluginClassLoader}, find and start its
 * {@link GlooPlugin}s, register their kinds; and undo all of that. A failure at any step leaves nothing set up and
 * the entry {@link PluginState#FAILED} with the reason. Called under the manager's scan lock only.
 */
final class PluginStarter {

  private static final Logger LOG = LoggerFactory.getLogger(PluginManager.class);

  private final PluginManager.Options options;
  private final KindRegistry kindRegistry;
  private final MeterRegistry meters;
  private final GrpcServices grpc;
  private final AdminViews adminViews;
  private final LoadFailures loadFailures;
  private final Path workDir;
  private final PluginCache cache;
  private final GlooPluginLoader pluginLoader = new GlooPluginLoader(PluginManager.class.getClassLoader());
  private final VersionManager versions = new DefaultVersionManager();
  private final PluginArchives.Descriptors descriptors = new PluginArchives.Descriptors();
  private final AtomicLong loads = new AtomicLong();

  /** @param cache where archives are expanded once and kept, or null to expand each load into {@code workDir} */
  PluginStarter(PluginManager.Options options, KindRegistry kindRegistry, MeterRegistry meters, GrpcServices grpc,
      AdminViews adminViews, LoadFailures loadFailures, Path workDir, PluginCache cache) {
    this.options = options;
    this.kindRegistry = kindRegistry;
    this.meters = meters;
    this.grpc = grpc;
    this.adminViews = adminViews;
    this.loadFailures = loadFailures;
    this.workDir = workDir;
    this.cache = cache;
  }

  /** What can be checked of an archive without loading it (see {@link PluginArchives#check}). */
  PluginArchives.Checked check(Path archive) {
    return PluginArchives.check(archive, workDir, descriptors, versions);
  }

  /**
   * Loads one archive.
   *
   * @param others the other archives' entries (for duplicate ids and who holds a kind)
   * @param prepared an expanded copy to load from (taking it over), or null to expand the archive
   */
  PluginEntry load(Path archive, Fingerprint fingerprint, PluginStatusProvider status, Path prepared,
      Collection<PluginEntry> others) {
    PluginEntry entry = new PluginEntry(archive, fingerprint);
    String fileName = archive.getFileName().toString();
    String id = fileName.replaceFirst("(?i)\\.(zip|jar)$", "");
    String version = "";
    String requires = "";
    try {
      entry.expanded = prepared != null ? prepared : cache != null ? cache.expanded(archive)
          : PluginArchives.prepare(archive, workDir, loads.incrementAndGet());
      PluginDescriptor descriptor = descriptors.from(PluginArchives.readManifest(entry.expanded));
      if (descriptor.getPluginId() == null || descriptor.getPluginId().isBlank()) {
        return failed(entry, id, version, requires, "no Plugin-Id in the manifest", LoadFailures.MANIFEST, false);
      }
      id = descriptor.getPluginId();
      version = descriptor.getVersion();
      requires = descriptor.getRequires() == null || descriptor.getRequires().equals("*")
          ? "" : descriptor.getRequires().strip();
      String disabled = disabledReason(id, status);
      if (disabled != null) {
        entry.disabled = true;
        cleanUp(entry);
        entry.view = new LoadedPlugin(id, version, PluginState.DISABLED, requires, List.of(), List.of(), disabled,
            archive, null);
        info("plugin {} {}: {}", id, version, disabled);
        return entry;
      }
      if (version == null || version.isBlank()) {
        return failed(entry, id, "", requires, "no Plugin-Version in the manifest", LoadFailures.MANIFEST, false);
      }
      if (!requires.isEmpty() && !PluginArchives.satisfies(versions, requires)) {
        return failed(entry, id, version, requires, PluginArchives.excludes(requires), LoadFailures.REQUIRES,
            false);
      }
      for (PluginEntry other : others) {
        if (other.view.started() && other.view.id().equals(id)) {
          return failed(entry, id, version, requires, "duplicate Plugin-Id: already loaded from "
              + other.archive.getFileName(), LoadFailures.DUPLICATE, true);
        }
      }
      if (!pluginLoader.isApplicable(entry.expanded)) {
        return failed(entry, id, version, requires, "neither classes/ nor lib/ in the archive", LoadFailures.LAYOUT,
            false);
      }
      entry.loader = pluginLoader.loadPlugin(entry.expanded, descriptor);
      String loadingId = id;
      List<GlooPlugin> plugins = PluginCalls.call(entry.loader, () -> discover(entry.loader));
      if (plugins.isEmpty()) {
        return failed(entry, id, version, requires, "no " + GlooPlugin.class.getName()
            + " implementation listed in META-INF/services of the archive", LoadFailures.LAYOUT, false);
      }
      List<PolicyKind<?>> kinds = new ArrayList<>();
      List<FieldExtension<?>> extensions = new ArrayList<>();
      for (GlooPlugin plugin : plugins) {
        DefaultPluginContext context = new DefaultPluginContext(id, entry.loader,
            options.config().getOrDefault(id, Map.of()), meters, grpc, adminViews, options.mode());
        entry.contexts.add(context);
        entry.instances.add(plugin);
        PluginCalls.lifecycle(entry.loader, "start()", () -> {
          plugin.start(context);
          return null;
        });
        List<PolicyKind<?>> pluginKinds = PluginCalls.lifecycle(entry.loader, "policyKinds()", plugin::policyKinds);
        kinds.addAll(pluginKinds == null ? List.of() : pluginKinds);
        List<FieldExtension<?>> pluginExtensions =
            PluginCalls.lifecycle(entry.loader, "fieldExtensions()", plugin::fieldExtensions);
        extensions.addAll(pluginExtensions == null ? List.of() : pluginExtensions);
      }
      String conflict = registerKinds(entry, id, kinds, others);
      if (conflict != null) {
        return failed(entry, id, version, requires, conflict, LoadFailures.KIND_CONFLICT, true);
      }
      entry.view = new LoadedPlugin(id, version, PluginState.STARTED, requires, kinds, extensions, null, archive,
          entry.loader);
      info("plugin {} {} {} from {} ({} kinds: {})", loadingId, version,
          options.mode() == Mode.SERVE ? "started" : "loaded offline", fileName, kinds.size(),
          entry.kinds.stream().map(k -> k.apiVersion() + " " + k.kind()).toList());
      return entry;
    } catch (GrpcServices.PortUnavailableException e) {
      LOG.debug("plugin {} ({}) failed to load", id, fileName, e); // GrpcServices logged the one-line ERROR
      return failed(entry, id, version, requires, e.getMessage(), LoadFailures.PORT, false);
    } catch (Exception | LinkageError e) {
      LOG.warn("plugin {} ({}) failed to load", id, fileName, e);
      return failed(entry, id, version, requires, describe(e),
          e instanceof IOException ? LoadFailures.ARCHIVE : LoadFailures.START, false);
    }
  }

  /** Why a plugin is turned off, or null if it is not. */
  String disabledReason(String id, PluginStatusProvider status) {
    if (!options.selection().isEmpty() && !options.selection().contains(id)) {
      return "not selected by --plugins";
    }
    if (status != null && status.isPluginDisabled(id)) {
      return "disabled by enabled.txt/disabled.txt";
    }
    return null;
  }

  /** The plugin's GlooPlugins: providers listed in its archive whose classes its own loader defined. */
  private static List<GlooPlugin> discover(ClassLoader loader) {
    List<GlooPlugin> plugins = new ArrayList<>();
    for (ServiceLoader.Provider<GlooPlugin> provider : ServiceLoader.load(GlooPlugin.class, loader).stream()
        .toList()) {
      if (provider.type().getClassLoader() == loader) {
        plugins.add(provider.get());
      } else {
        LOG.warn("ignoring {}: not defined by the plugin's own classloader", provider.type().getName());
      }
    }
    return plugins;
  }

  /**
   * Registers the kinds; returns why not (and registers none) if one is already taken. A kind held after its
   * guarding plugin went (see {@link KindRegistry.Guard}) may be taken over.
   */
  private String registerKinds(PluginEntry entry, String pluginId, List<PolicyKind<?>> kinds,
      Collection<PluginEntry> others) {
    List<RegisteredKind> wanted = new ArrayList<>();
    List<KindRegistry.Guard> guards = new ArrayList<>();
    for (PolicyKind<?> kind : kinds) {
      GroupKind groupKind = PluginCalls.call(entry.loader, kind::groupKind);
      String version = PluginCalls.call(entry.loader, kind::version);
      if (groupKind == null || version == null || version.isBlank()) {
        return "policy kind " + kind.getClass().getName() + " has no group/kind or version";
      }
      String apiVersion = groupKind.group().isEmpty() ? version : groupKind.group() + "/" + version;
      RegisteredKind registered = new RegisteredKind(apiVersion, groupKind.kind());
      if (wanted.contains(registered)) {
        return "policy kind " + apiVersion + " " + groupKind.kind() + " is declared twice";
      }
      if (kindRegistry != null && kindRegistry.lookup(apiVersion, groupKind.kind()).isPresent()
          && !kindRegistry.isHeld(apiVersion, groupKind.kind())) {
        return "policy kind " + apiVersion + " " + groupKind.kind() + " is already registered"
            + owner(registered, others);
      }
      wanted.add(registered);
      Set<String> guardedFields = PluginCalls.call(entry.loader, kind::failClosedFields);
      guards.add(new KindRegistry.Guard(pluginId, PluginCalls.call(entry.loader, kind::failClosed),
          guardedFields == null ? Set.of() : guardedFields));
    }
    for (int i = 0; i < wanted.size(); i++) {
      RegisteredKind kind = wanted.get(i);
      if (kindRegistry != null) {
        kindRegistry.register(kind.apiVersion(), kind.kind(), GenericKubernetesResource.class, true);
        KindRegistry.Guard guard = guards.get(i);
        if (guard.failClosed() || !guard.failClosedFields().isEmpty()) {
          kindRegistry.guard(kind.apiVersion(), kind.kind(), guard); // remembered if the plugin goes
        }
      }
      entry.kinds.add(kind);
    }
    return null;
  }

  private static String owner(RegisteredKind kind, Collection<PluginEntry> others) {
    return others.stream().filter(e -> e.kinds.contains(kind)).findFirst()
        .map(e -> " by plugin " + e.view.id()).orElse(" (a built-in kind)");
  }

  private PluginEntry failed(PluginEntry entry, String id, String version, String requires, String reason,
      String category, boolean retry) {
    loadFailures.record(id, category);
    unload(entry);
    entry.retry = retry;
    entry.view = new LoadedPlugin(id, version, PluginState.FAILED, requires, List.of(), List.of(), reason,
        entry.archive, null);
    LOG.warn("plugin {} ({}) not started: {}", id, entry.archive.getFileName(), reason);
    return entry;
  }

  /** Undoes everything {@link #load} set up for an entry. Never throws. */
  void unload(PluginEntry entry) {
    String id = entry.view == null ? entry.archive.getFileName().toString() : entry.view.id();
    for (int i = entry.instances.size() - 1; i >= 0; i--) {
      GlooPlugin plugin = entry.instances.get(i);
      try {
        PluginCalls.run(entry.loader, plugin::stop);
      } catch (RuntimeException | LinkageError e) {
        LOG.warn("plugin {}: stop() failed", id, e);
      }
    }
    for (DefaultPluginContext context : entry.contexts) {
      try {
        context.close();
      } catch (RuntimeException | LinkageError e) {
        LOG.warn("plugin {}: releasing its services failed", id, e);
      }
    }
    for (RegisteredKind kind : entry.kinds) {
      if (kindRegistry != null) {
        kindRegistry.unregister(kind.apiVersion(), kind.kind());
      }
    }
    boolean wasStarted = entry.view != null && entry.view.started();
    entry.instances.clear();
    entry.contexts.clear();
    entry.kinds.clear();
    if (entry.view != null && entry.view.classLoader() != null) {
      entry.view = new LoadedPlugin(entry.view.id(), entry.view.version(), PluginState.FAILED,
          entry.view.requires(), List.of(), List.of(), "unloaded", entry.archive, null);
    }
    cleanUp(entry);
    if (wasStarted) {
      info("plugin {} stopped and unloaded", id);
    }
  }

  /** Closes the classloader and deletes the expanded copy (unless it is the cache's, which others may map). */
  void cleanUp(PluginEntry entry) {
    if (entry.loader != null) {
      try {
        entry.loader.close();
      } catch (IOException e) {
        LOG.debug("closing the classloader of {}", entry.archive, e);
      }
      entry.loader = null;
    }
    if (entry.expanded != null) {
      if (!isCached(entry.expanded)) {
        PluginArchives.deleteRecursively(entry.expanded);
      }
      entry.expanded = null;
    }
  }

  /** Keeps the cache's copy of a loaded plugin from being pruned while this process uses it. */
  void keepAlive(PluginEntry entry) {
    if (entry.expanded != null && isCached(entry.expanded)) {
      cache.keepAlive(entry.expanded);
    }
  }

  private boolean isCached(Path expanded) {
    return cache != null && expanded.startsWith(cache.dir());
  }

  /** Loads and unloads are news when serving; an offline command (gloo translate) loads them every run. */
  void info(String format, Object... args) {
    if (options.mode() == Mode.SERVE) {
      LOG.info(format, args);
    } else {
      LOG.debug(format, args);
    }
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    String text = e.getClass().getName() + (message == null ? "" : ": " + message);
    if (e instanceof NoSuchFileException) {
      text = "missing " + message;
    } else if (e instanceof PluginCalls.PluginCallException && e.getCause() != null) {
      text = describe(e.getCause());
    }
    return text.length() > 500 ? text.substring(0, 500) + "..." : text;
  }
}
