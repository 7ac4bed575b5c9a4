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
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.pf4j.PluginStatusProvider;
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
 * temporary directory by default) under a name unique to that load, and deleted again on unload; or, with
 * {@link Options#cacheDir()} (the CLI's default), into a {@link PluginCache} copy keyed by the archive's content,
 * expanded once and shared by every later run. So the plugins directory (possibly a read-only distribution
 * directory) is only read, never written, and an archive replaced in place never changes the bytes under a running
 * classloader.
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
   * @param cacheDir where archives are expanded once and kept across runs, keyed by content (see {@link PluginCache});
   *     null means every load expands into {@code workDir}
   */
  public record Options(Path dir, Set<String> selection, Map<String, Map<String, String>> config, Path workDir,
      Duration debounce, Mode mode, Path cacheDir) {

    public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(250);

    /** Options for serving. */
    public Options(Path dir, Set<String> selection, Map<String, Map<String, String>> config, Path workDir,
        Duration debounce) {
      this(dir, selection, config, workDir, debounce, Mode.SERVE, null);
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
      return new Options(dir, selection, config, workDir, debounce, Mode.OFFLINE, cacheDir);
    }

    /** The same options with archives expanded once into {@code cacheDir} (null: per load, as by default). */
    public Options withCache(Path cacheDir) {
      return new Options(dir, selection, config, workDir, debounce, mode, cacheDir);
    }

    /** The same options with the cache the launcher configured ({@link PluginCache#configured()}), if any. */
    public Options withConfiguredCache() {
      return withCache(PluginCache.configured());
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

  private final Path dir;
  private final Options options;
  private final KindRegistry kindRegistry;
  private final MeterRegistry meters;
  private final GrpcServices grpc;
  private final AdminViews adminViews = new AdminViews();
  private final Path workDir;
  private final boolean ownWorkDir;
  private final List<Consumer<LoadedPlugins>> listeners = new CopyOnWriteArrayList<>();
  private final LoadFailures loadFailures;
  private final PluginStarter starter;

  private final Object scanLock = new Object();
  @GuardedBy("scanLock")
  private final Map<Path, PluginEntry> entries = new LinkedHashMap<>();
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
    PluginCache cache = null;
    if (options.cacheDir() != null) {
      try {
        cache = new PluginCache(options.cacheDir());
        cache.prune();
      } catch (IOException | RuntimeException e) {
        LOG.warn("plugin cache {} is not usable ({}); expanding plugins per run", options.cacheDir(), e.toString());
      }
    }
    this.starter = new PluginStarter(options, kindRegistry, this.meters, grpc, adminViews, loadFailures, workDir,
        cache);
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
      for (PluginEntry entry : entries.values()) {
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
      List<PluginEntry> all = new ArrayList<>(entries.values());
      java.util.Collections.reverse(all);
      all.forEach(starter::unload);
      entries.clear();
      current = LoadedPlugins.EMPTY;
    }
    grpc.close();
    if (ownWorkDir) {
      PluginArchives.deleteRecursively(workDir);
    }
  }

  // ---------------------------------------------------------------------------------------------- scanning

  /** Returns whether anything changed. */
  @GuardedBy("scanLock")
  private boolean scan() {
    Map<Path, PluginEntry.Fingerprint> found = PluginDirectory.archives(dir);
    PluginStatusProvider status = PluginDirectory.status(dir);
    boolean changed = false;

    // Removed, replaced or re-selected archives are unloaded first, so their ids and kinds are free again. A
    // started plugin whose archive was replaced keeps its expanded copy: if the replacement fails, it comes back.
    Map<Path, PluginEntry> replaced = new HashMap<>();
    for (var it = entries.values().iterator(); it.hasNext(); ) {
      PluginEntry entry = it.next();
      PluginEntry.Fingerprint now = found.get(entry.archive);
      boolean selectionChanged = now != null && entry.view != null
          && entry.disabled != (starter.disabledReason(entry.view.id(), status) != null);
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
        starter.unload(entry);
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
        PluginEntry entry = it.next();
        if (entry.retry) {
          starter.unload(entry);
          grpc.forgetFailures(entry.view.id());
          it.remove();
        }
      }
    }
    for (Map.Entry<Path, PluginEntry.Fingerprint> archive : found.entrySet()) {
      if (!entries.containsKey(archive.getKey())) {
        PluginEntry entry = starter.load(archive.getKey(), archive.getValue(), status, null, entries.values());
        PluginEntry previous = replaced.remove(archive.getKey());
        if (previous != null) {
          entry = keepLastGood(entry, previous, status);
        }
        entries.put(entry.archive, entry);
        changed = true;
      }
    }
    replaced.values().forEach(starter::cleanUp); // never reached: every replaced archive was found again
    entries.values().forEach(starter::keepAlive);
    return changed;
  }

  /**
   * Why the replacement of a started plugin's archive cannot load, checked before the running version is touched
   * (unreadable archive or manifest, no id or version, SPI range): then the running version keeps serving
   * and the replacement is remembered as refused (also so that the next scans do not check it again); null when it
   * may load.
   */
  @GuardedBy("scanLock")
  private String refusedReplacement(PluginEntry entry, PluginEntry.Fingerprint now) {
    if (entry.rejected != null && now.equals(entry.rejected.fingerprint())) {
      return entry.rejected.reason();
    }
    PluginArchives.Checked checked = starter.check(entry.archive);
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
  private PluginEntry keepLastGood(PluginEntry attempt, PluginEntry previous, PluginStatusProvider status) {
    if (attempt.view.state() != PluginState.FAILED) {
      starter.cleanUp(previous); // the replacement serves: the previous version's copy can go
      return attempt;
    }
    PluginEntry restored = starter.load(previous.archive, attempt.fingerprint, status, previous.expanded, entries.values());
    if (!restored.view.started()) {
      LOG.warn("plugin {}: the previous version {} did not start again either: {}", previous.view.id(),
          previous.view.version(), restored.view.failure());
      starter.cleanUp(restored);
      return attempt;
    }
    restored.rejected = new PluginProblem(attempt.view.id(), attempt.view.version(), attempt.archive,
        attempt.view.failure(), restored.view.version(), attempt.fingerprint);
    LOG.warn("plugin {}: replacement {} failed to load ({}); version {} keeps serving", attempt.view.id(),
        dashIfEmpty(attempt.view.version()), attempt.view.failure(), restored.view.version());
    return restored;
  }

  @GuardedBy("scanLock")
  private void refuse(PluginEntry entry, String version, String reason, String category, PluginEntry.Fingerprint fingerprint) {
    entry.rejected = new PluginProblem(entry.view.id(), version, entry.archive, reason, entry.view.version(),
        fingerprint);
    loadFailures.record(entry.view.id(), category);
    LOG.warn("plugin {}: replacement {} refused ({}); version {} keeps serving", entry.view.id(),
        dashIfEmpty(version), reason, entry.view.version());
  }

  private static String dashIfEmpty(String s) {
    return s == null || s.isEmpty() ? "-" : s;
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
