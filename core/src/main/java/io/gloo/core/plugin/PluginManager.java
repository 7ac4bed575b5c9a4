package io.gloo.core.plugin;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.gloo.core.watch.KindRegistry;
import io.gloo.core.watch.RescanSchedule;
import io.gloo.core.watch.WatchLoop;
import io.gloo.spi.GlooPlugin;
import io.gloo.spi.PluginContext;
import io.gloo.spi.PluginContext.Mode;
import io.gloo.spi.SpiVersion;
import io.gloo.spi.policy.FieldExtension;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyKind;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.pf4j.DefaultPluginStatusProvider;
import org.pf4j.DefaultVersionManager;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginStatusProvider;
import org.pf4j.VersionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads Gloo plugins from a directory and keeps them in step with it.
 *
 * <h2>Archives</h2>
 * Every regular, non-hidden {@code *.zip} and {@code *.jar} file directly in the plugins directory is one plugin
 * (directories are ignored, including ones plain PF4J extracted next to a zip). A zip has PF4J's layout:
 * {@code classes/} (with {@code META-INF/MANIFEST.MF} and {@code META-INF/services/io.gloo.spi.GlooPlugin}) and
 * {@code lib/*.jar}; a jar carries its classes and manifest and no libraries. The manifest's PF4J entries
 * {@code Plugin-Id}, {@code Plugin-Version} and {@code Plugin-Requires} (a semver range checked against
 * {@link SpiVersion#CURRENT}, PF4J's "system version") describe it.
 *
 * <p>Archives are never used in place: a zip is expanded, and a jar copied, into a private work directory (a fresh
 * temporary directory by default) under a name unique to that load, and deleted again on unload. So the plugins
 * directory (possibly a read-only distribution directory) is only read, never written, and an archive replaced
 * in place never changes the bytes under a running classloader.
 *
 * <h2>Selection</h2>
 * PF4J's {@code enabled.txt} / {@code disabled.txt} in the plugins directory (re-read on every scan), and
 * {@code --plugins id1,id2} (only those ids). A plugin turned off either way is listed as disabled, with why.
 *
 * <h2>Loading</h2>
 * Each plugin gets its own {@link PluginClassLoader} (see there for what it shares with core). Its
 * {@link GlooPlugin}s are found with {@link ServiceLoader} in that loader, keeping only classes that loader
 * defined; core calls {@code start(PluginContext)} then {@code policyKinds()}, and registers every kind as a
 * namespaced {@link GenericKubernetesResource} in the {@link KindRegistry}. Any failure (bad manifest, SPI range,
 * exception or linkage error in the plugin, duplicate id, kind already registered) unloads what was set up and
 * lists the plugin as failed with the reason; the other plugins are unaffected. Every call into plugin code runs
 * through {@link PluginCalls} (context classloader = the plugin's).
 *
 * <h2>Hot reload</h2>
 * After {@link #start()}, a {@link WatchLoop} thread ({@value #THREAD_NAME}) watches the directory and rescans
 * {@link Options#debounce()} after the last event of a burst, and in any case every
 * {@value RescanSchedule#SAFETY_RESCAN_MILLIS} ms (events can be lost). A rescan compares each archive's size,
 * modification time and file key with what was loaded: a new archive is loaded; a removed one is stopped
 * (background services, gRPC services, meters, kinds), its classloader closed and its expanded copy deleted; a
 * changed one is unloaded and loaded again. Listeners hear about every change with the new {@link LoadedPlugins}, on
 * the scanning thread.
 */
@ThreadSafe
public final class PluginManager implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PluginManager.class);

  static final String THREAD_NAME = "gloo-plugin-watch";
  private static final long TICK_MILLIS = 50;

  /**
   * How to load plugins.
   *
   * @param dir the plugins directory (need not exist yet)
   * @param selection plugin ids to load ({@code --plugins}); null or empty means all
   * @param config per-plugin configuration, by plugin id ({@code --plugin-config ID.KEY=VALUE})
   * @param workDir where archives are expanded; null means a fresh temporary directory, deleted on close
   * @param debounce quiet time after changes in the directory before rescanning
   * @param mode what plugins are loaded for: {@link Mode#SERVE} ({@code gloo serve}) or {@link Mode#OFFLINE} (an
   *     offline command: plugins are told so, and nothing they register is served; see {@link PluginContext#mode})
   */
  public record Options(Path dir, Set<String> selection, Map<String, Map<String, String>> config, Path workDir,
      Duration debounce, Mode mode) {

    public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(250);

    /** Options for serving. */
    public Options(Path dir, Set<String> selection, Map<String, Map<String, String>> config, Path workDir,
        Duration debounce) {
      this(dir, selection, config, workDir, debounce, Mode.SERVE);
    }

    public Options {
      Objects.requireNonNull(dir, "dir");
      mode = mode == null ? Mode.SERVE : mode;
      selection = selection == null ? Set.of() : Set.copyOf(selection);
      Map<String, Map<String, String>> copy = new HashMap<>();
      if (config != null) {
        config.forEach((id, values) -> copy.put(id, Map.copyOf(values)));
      }
      config = Map.copyOf(copy);
      debounce = debounce == null ? DEFAULT_DEBOUNCE : debounce;
    }

    public static Options of(Path dir) {
      return new Options(dir, Set.of(), Map.of(), null, null);
    }

    /** The same options for an offline command. */
    public Options offline() {
      return new Options(dir, selection, config, workDir, debounce, Mode.OFFLINE);
    }
  }

  /** {@code $gloo.home/plugins} when the {@code gloo.home} system property is set (the launcher sets it), else {@code plugins}. */
  public static Path defaultDir() {
    String home = System.getProperty("gloo.home");
    return home == null || home.isBlank() ? Path.of("plugins") : Path.of(home, "plugins");
  }

  /** Parses {@code ID.KEY=VALUE} options into configuration by plugin id. */
  public static Map<String, Map<String, String>> parseConfig(List<String> options) {
    Map<String, Map<String, String>> config = new TreeMap<>();
    for (String option : options == null ? List.<String>of() : options) {
      int eq = option.indexOf('=');
      int dot = option.indexOf('.');
      if (eq < 0 || dot <= 0 || dot > eq - 2) {
        throw new IllegalArgumentException("plugin config " + option + " is not ID.KEY=VALUE");
      }
      config.computeIfAbsent(option.substring(0, dot), id -> new TreeMap<>())
          .put(option.substring(dot + 1, eq), option.substring(eq + 1));
    }
    return config;
  }

  /** What identifies one version of an archive file. */
  private record Fingerprint(long size, FileTime modified, Object fileKey) {
    static Fingerprint of(BasicFileAttributes attrs) {
      return new Fingerprint(attrs.size(), attrs.lastModifiedTime(), attrs.fileKey());
    }
  }

  /** A kind as registered in the KindRegistry (strings only, so nothing here pins the plugin). */
  private record RegisteredKind(String apiVersion, String kind) {}

  /** One archive: what was loaded from it and what has to be undone on unload. Guarded by the scan lock. */
  private static final class Entry {
    final Path archive;
    final Fingerprint fingerprint;
    LoadedPlugin view;
    /** The id the selection was decided for, and whether the plugin was turned off then. */
    boolean disabled;
    /** Failed because of another archive (duplicate id, kind taken): retried when anything else changes. */
    boolean retry;
    PluginClassLoader loader;
    Path expanded;
    final List<GlooPlugin> instances = new ArrayList<>();
    final List<DefaultPluginContext> contexts = new ArrayList<>();
    final List<RegisteredKind> kinds = new ArrayList<>();
    /** A replacement archive that failed to load while this (previous) version kept serving; null if none. */
    PluginProblem rejected;

    Entry(Path archive, Fingerprint fingerprint) {
      this.archive = archive;
      this.fingerprint = fingerprint;
    }
  }

  private final Path dir;
  private final Options options;
  private final KindRegistry kindRegistry;
  private final MeterRegistry meters;
  private final GrpcServices grpc;
  private final AdminViews adminViews = new AdminViews();
  private final GlooPluginLoader pluginLoader = new GlooPluginLoader(PluginManager.class.getClassLoader());
  private final VersionManager versions = new DefaultVersionManager();
  private final PluginArchives.Descriptors descriptors = new PluginArchives.Descriptors();
  private final AtomicLong loads = new AtomicLong();
  private final Path workDir;
  private final boolean ownWorkDir;
  private final List<Consumer<LoadedPlugins>> listeners = new CopyOnWriteArrayList<>();
  private final LoadFailures loadFailures;

  private final Object scanLock = new Object();
  @GuardedBy("scanLock")
  private final Map<Path, Entry> entries = new LinkedHashMap<>();
  @GuardedBy("scanLock")
  private boolean closed;

  private final WatchLoop loop;
  private final AtomicBoolean started = new AtomicBoolean();

  private volatile LoadedPlugins current = LoadedPlugins.EMPTY;

  /**
   * @param kindRegistry where plugin kinds are registered (null: not registered anywhere, e.g. for listing)
   * @param meters where plugin metrics go (null: a private registry)
   */
  public PluginManager(Options options, KindRegistry kindRegistry, MeterRegistry meters) throws IOException {
    this(options, kindRegistry, meters, PluginNetwork.DEFAULT);
  }

  /**
   * @param network where plugin gRPC ports listen ({@code --bind}) and how peer-authenticated services and calls to
   *     the control plane are secured
   */
  public PluginManager(Options options, KindRegistry kindRegistry, MeterRegistry meters, PluginNetwork network)
      throws IOException {
    this.grpc = new GrpcServices(network);
    this.options = Objects.requireNonNull(options, "options");
    this.dir = options.dir().toAbsolutePath().normalize();
    this.loop = new WatchLoop(THREAD_NAME, dir, options.debounce(), this::watchAndRescan);
    this.kindRegistry = kindRegistry;
    this.meters = meters == null ? new SimpleMeterRegistry() : meters;
    this.loadFailures = new LoadFailures(this.meters);
    if (options.workDir() == null) {
      this.workDir = Files.createTempDirectory("gloo-plugins-");
      this.ownWorkDir = true;
    } else {
      this.workDir = Files.createDirectories(options.workDir());
      this.ownWorkDir = false;
    }
  }

  public Path dir() {
    return dir;
  }

  /** The current view; {@link LoadedPlugins#EMPTY} before the first scan. */
  public LoadedPlugins plugins() {
    return current;
  }

  /** Called with the new view after every change, on the thread that scanned. Exceptions are logged. */
  public void addListener(Consumer<LoadedPlugins> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public void removeListener(Consumer<LoadedPlugins> listener) {
    listeners.remove(listener);
  }

  /**
   * Plugin gRPC ports that could not be bound, one line each naming the plugin, address and reason; empty when all
   * listen. A non-empty list makes {@code gloo serve} not ready.
   */
  public List<String> portFailures() {
    return grpc.portFailures();
  }

  /**
   * What failed to load, as of the last scan: archives that did not start, and replacements refused while the
   * previous version keeps serving ({@link PluginProblem#serving()}). Disabled plugins are not problems.
   */
  public List<PluginProblem> problems() {
    synchronized (scanLock) {
      List<PluginProblem> problems = new ArrayList<>();
      for (Entry entry : entries.values()) {
        if (entry.view.state() == PluginState.FAILED) {
          problems.add(new PluginProblem(entry.view.id(), entry.view.version(), entry.archive, entry.view.failure(),
              null));
        }
        if (entry.rejected != null) {
          problems.add(entry.rejected);
        }
      }
      return List.copyOf(problems);
    }
  }

  /** The mode plugins are loaded in. */
  public Mode mode() {
    return options.mode();
  }

  /** The JSON views started plugins serve on the admin API. */
  public AdminViews adminViews() {
    return adminViews;
  }

  /** Loads the directory once (on the calling thread), then watches it for changes. */
  public LoadedPlugins start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("already started");
    }
    loop.watch(watchedDirectories()); // before the first scan, so a change made while scanning still produces an event
    LoadedPlugins first = rescan();
    synchronized (scanLock) {
      if (!closed && options.mode() == Mode.SERVE) { // an offline command reads the directory once
        loop.start();
      }
    }
    return first;
  }

  /**
   * Brings the loaded plugins in line with the directory now, on the calling thread (one scan at a time), and
   * returns the resulting view. Listeners are notified if anything changed.
   */
  public LoadedPlugins rescan() {
    LoadedPlugins changed;
    synchronized (scanLock) {
      if (closed) {
        return current;
      }
      changed = scan() ? publish() : null;
      if (changed != null) {
        notifyListeners(changed);
      }
    }
    return current;
  }

  /** The TCCL-safe way to reach a started plugin's classloader (e.g. for tests and diagnostics). */
  public ClassLoader classLoader(String pluginId) {
    return current.get(pluginId).filter(LoadedPlugin::started).map(LoadedPlugin::classLoader).orElse(null);
  }

  /** Stops watching, unloads every plugin, stops plugin gRPC servers and deletes the work directory. */
  @Override
  public void close() {
    loop.close(); // waits for a scan in progress, unless called from one
    synchronized (scanLock) {
      if (closed) {
        return;
      }
      closed = true;
      List<Entry> all = new ArrayList<>(entries.values());
      java.util.Collections.reverse(all);
      all.forEach(this::unload);
      entries.clear();
      current = LoadedPlugins.EMPTY;
    }
    grpc.close();
    if (ownWorkDir) {
      deleteRecursively(workDir);
    }
  }

  // ---------------------------------------------------------------------------------------------- scanning

  /** Returns whether anything changed. */
  @GuardedBy("scanLock")
  private boolean scan() {
    Map<Path, Fingerprint> found = listArchives();
    PluginStatusProvider status = statusProvider();
    boolean changed = false;

    // Removed, replaced or re-selected archives are unloaded first, so their ids and kinds are free again. A
    // started plugin whose archive was replaced keeps its expanded copy: if the replacement fails, it comes back.
    Map<Path, Entry> replaced = new HashMap<>();
    for (var it = entries.values().iterator(); it.hasNext(); ) {
      Entry entry = it.next();
      Fingerprint now = found.get(entry.archive);
      boolean selectionChanged = now != null && entry.view != null
          && entry.disabled != (disabledReason(entry.view.id(), status) != null);
      if (now == null || !now.equals(entry.fingerprint) || selectionChanged) {
        String refused = now == null || selectionChanged || !entry.view.started() ? null
            : refusedReplacement(entry, now);
        if (refused != null) {
          continue; // the replacement cannot load at all: the running version stays, untouched
        }
        LOG.info("plugin {} {}: unloading", entry.view.id(), now == null ? "removed" : selectionChanged
            ? "selection changed" : "archive changed");
        boolean keepCopy = now != null && !selectionChanged && entry.view.started();
        Path copy = keepCopy ? entry.expanded : null;
        entry.expanded = keepCopy ? null : entry.expanded; // so that unload does not delete the copy
        unload(entry);
        grpc.forgetFailures(entry.view.id());
        it.remove();
        if (copy != null) {
          entry.expanded = copy;
          replaced.put(entry.archive, entry);
        }
        changed = true;
      }
    }
    if (changed) {
      // What failed because of another archive (duplicate id, kind taken) may load now.
      for (var it = entries.values().iterator(); it.hasNext(); ) {
        Entry entry = it.next();
        if (entry.retry) {
          unload(entry);
          grpc.forgetFailures(entry.view.id());
          it.remove();
        }
      }
    }
    for (Map.Entry<Path, Fingerprint> archive : found.entrySet()) {
      if (!entries.containsKey(archive.getKey())) {
        Entry entry = load(archive.getKey(), archive.getValue(), status, null);
        Entry previous = replaced.remove(archive.getKey());
        if (previous != null) {
          entry = keepLastGood(entry, previous, status);
        }
        entries.put(entry.archive, entry);
        changed = true;
      }
    }
    replaced.values().forEach(this::cleanUp); // never reached: every replaced archive was found again
    return changed;
  }

  /**
   * Why the replacement of a started plugin's archive cannot load, checked before the running version is touched
   * (unreadable archive or manifest, no id or version, SPI range): then the running version keeps serving
   * and the replacement is remembered as refused (also so that the next scans do not check it again); null when it
   * may load.
   */
  @GuardedBy("scanLock")
  private String refusedReplacement(Entry entry, Fingerprint now) {
    if (entry.rejected != null && now.equals(entry.rejected.fingerprint())) {
      return entry.rejected.reason();
    }
    PluginArchives.Checked checked = PluginArchives.check(entry.archive, workDir, descriptors, versions);
    if (checked.problem() == null) {
      return null;
    }
    refuse(entry, checked.version(), checked.problem(), checked.category(), now);
    return checked.problem();
  }

  /**
   * A replacement failed to start: the previous version is loaded again from its expanded copy, and the failure
   * is remembered on it. Returns what goes into the directory's entries.
   */
  @GuardedBy("scanLock")
  private Entry keepLastGood(Entry attempt, Entry previous, PluginStatusProvider status) {
    if (attempt.view.state() != PluginState.FAILED) {
      cleanUp(previous); // the replacement serves: the previous version's copy can go
      return attempt;
    }
    Entry restored = load(previous.archive, attempt.fingerprint, status, previous.expanded);
    if (!restored.view.started()) {
      LOG.warn("plugin {}: the previous version {} did not start again either: {}", previous.view.id(),
          previous.view.version(), restored.view.failure());
      cleanUp(restored);
      return attempt;
    }
    restored.rejected = new PluginProblem(attempt.view.id(), attempt.view.version(), attempt.archive,
        attempt.view.failure(), restored.view.version(), attempt.fingerprint);
    LOG.warn("plugin {}: replacement {} failed to load ({}); version {} keeps serving", attempt.view.id(),
        dashIfEmpty(attempt.view.version()), attempt.view.failure(), restored.view.version());
    return restored;
  }

  @GuardedBy("scanLock")
  private void refuse(Entry entry, String version, String reason, String category, Fingerprint fingerprint) {
    entry.rejected = new PluginProblem(entry.view.id(), version, entry.archive, reason, entry.view.version(),
        fingerprint);
    loadFailures.record(entry.view.id(), category);
    LOG.warn("plugin {}: replacement {} refused ({}); version {} keeps serving", entry.view.id(),
        dashIfEmpty(version), reason, entry.view.version());
  }

  /** Loads and unloads are news when serving; an offline command (gloo translate) loads them every run. */
  private void info(String format, Object... args) {
    if (options.mode() == Mode.SERVE) {
      LOG.info(format, args);
    } else {
      LOG.debug(format, args);
    }
  }

  private static String dashIfEmpty(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }

  /** Archives in the directory, sorted by file name; empty if the directory does not exist. */
  private Map<Path, Fingerprint> listArchives() {
    Map<Path, Fingerprint> found = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return found;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        String name = file.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        if (name.startsWith(".") || !(lower.endsWith(".zip") || lower.endsWith(".jar"))) {
          continue;
        }
        try {
          BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
          if (attrs.isRegularFile()) {
            found.put(file, Fingerprint.of(attrs));
          }
        } catch (IOException e) {
          LOG.debug("{} vanished while listing", file);
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot list plugins directory {}: {}", dir, e.getMessage());
    }
    return found;
  }

  private PluginStatusProvider statusProvider() {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    try {
      return new DefaultPluginStatusProvider(dir);
    } catch (RuntimeException e) {
      LOG.warn("cannot read enabled.txt/disabled.txt in {}: {}", dir, e.getMessage());
      return null;
    }
  }

  /** Why a plugin is turned off, or null if it is not. */
  private String disabledReason(String id, PluginStatusProvider status) {
    if (!options.selection().isEmpty() && !options.selection().contains(id)) {
      return "not selected by --plugins";
    }
    if (status != null && status.isPluginDisabled(id)) {
      return "disabled by enabled.txt/disabled.txt";
    }
    return null;
  }

  @GuardedBy("scanLock")
  private LoadedPlugins publish() {
    List<LoadedPlugin> views = new ArrayList<>();
    entries.values().forEach(e -> views.add(e.view));
    current = new LoadedPlugins(views);
    return current;
  }

  private void notifyListeners(LoadedPlugins plugins) {
    for (Consumer<LoadedPlugins> listener : listeners) {
      try {
        listener.accept(plugins);
      } catch (RuntimeException | LinkageError e) {
        LOG.error("plugin listener failed", e);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------- loading

  @GuardedBy("scanLock")
  /** @param prepared an expanded copy to load from (taking it over), or null to expand the archive */
  private Entry load(Path archive, Fingerprint fingerprint, PluginStatusProvider status, Path prepared) {
    Entry entry = new Entry(archive, fingerprint);
    String fileName = archive.getFileName().toString();
    String id = fileName.replaceFirst("(?i)\\.(zip|jar)$", "");
    String version = "";
    String requires = "";
    try {
      entry.expanded = prepared != null ? prepared : PluginArchives.prepare(archive, workDir, loads.incrementAndGet());
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
        entry.view = new LoadedPlugin(id, version, PluginState.DISABLED, requires, List.of(), List.of(), disabled, archive, null);
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
      for (Entry other : entries.values()) {
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
      String conflict = registerKinds(entry, id, kinds);
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
  @GuardedBy("scanLock")
  private String registerKinds(Entry entry, String pluginId, List<PolicyKind<?>> kinds) {
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
            + owner(registered);
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

  @GuardedBy("scanLock")
  private String owner(RegisteredKind kind) {
    return entries.values().stream().filter(e -> e.kinds.contains(kind)).findFirst()
        .map(e -> " by plugin " + e.view.id()).orElse(" (a built-in kind)");
  }

  @GuardedBy("scanLock")
  private Entry failed(Entry entry, String id, String version, String requires, String reason, String category,
      boolean retry) {
    loadFailures.record(id, category);
    unload(entry);
    entry.retry = retry;
    entry.view = new LoadedPlugin(id, version, PluginState.FAILED, requires, List.of(), List.of(), reason, entry.archive, null);
    LOG.warn("plugin {} ({}) not started: {}", id, entry.archive.getFileName(), reason);
    return entry;
  }

  /** Undoes everything {@link #load} set up for an entry. Never throws. */
  @GuardedBy("scanLock")
  private void unload(Entry entry) {
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

  /** Closes the classloader and deletes the expanded copy. */
  private void cleanUp(Entry entry) {
    if (entry.loader != null) {
      try {
        entry.loader.close();
      } catch (IOException e) {
        LOG.debug("closing the classloader of {}", entry.archive, e);
      }
      entry.loader = null;
    }
    if (entry.expanded != null) {
      deleteRecursively(entry.expanded);
      entry.expanded = null;
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

  private static void deleteRecursively(Path path) {
    PluginArchives.deleteRecursively(path);
  }

  // ---------------------------------------------------------------------------------------------- watching

  /** The loop's scan. */
  private void watchAndRescan() {
    loop.watch(watchedDirectories()); // the directory may have appeared (or been recreated) since
    rescan();
  }

  /** The plugins directory, once it exists. */
  private List<Path> watchedDirectories() {
    return Files.isDirectory(dir) ? List.of(dir) : List.of();
  }
}
