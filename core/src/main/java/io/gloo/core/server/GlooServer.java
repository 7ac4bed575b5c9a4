package io.gloo.core.server;

import com.google.errorprone.annotations.ThreadSafe;
import io.gloo.core.admin.AdminAccess;
import io.gloo.core.admin.AdminServer;
import io.gloo.core.plugin.CaPeerTls;
import io.gloo.core.plugin.LoadedPlugins;
import io.gloo.core.plugin.PluginManager;
import io.gloo.core.plugin.PluginNetwork;
import io.gloo.core.plugin.PluginProblem;
import io.gloo.core.provision.ProxyProvisioner;
import io.gloo.core.report.Reporter;
import io.gloo.core.report.RejectionLog;
import io.gloo.core.report.StatusMetrics;
import io.gloo.core.snapshot.SnapshotError;
import io.gloo.core.snapshot.SnapshotPublisher;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.gloo.core.translate.policy.PluginInvoker;
import io.gloo.core.translate.policy.AbsentKind;
import io.gloo.core.translate.xds.RouteReplacement;
import io.gloo.core.validate.ProtoConstraintValidator;
import io.gloo.core.watch.ConfigSource;
import io.gloo.core.watch.DirectorySource;
import io.gloo.core.watch.KindRegistry;
import io.gloo.core.watch.KubernetesSource;
import io.gloo.core.report.KubernetesStatusWriter;
import io.gloo.core.watch.ManifestParser;
import io.gloo.core.xds.Nack;
import io.gloo.core.xds.NackHoldingConfigWatcher;
import io.gloo.core.xds.ProxyTracker;
import io.gloo.core.xds.XdsServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running control plane: config source → translator → snapshot publisher → xDS server, with the reporter and
 * the admin API beside them. Translation runs on the config source's thread, one at a time; a translation that fails
 * unexpectedly is logged and counted, and the last good snapshots keep serving.
 */
@ThreadSafe
public final class GlooServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GlooServer.class);

  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final PluginInvoker invoker;
  private final ProtoConstraintValidator constraints = new ProtoConstraintValidator();
  /** Replaced when the set of plugins changes (its catalog and Jackson caches belong to those plugins). */
  private volatile Translator translator;
  private final SnapshotPublisher publisher = new SnapshotPublisher(metrics);
  private final ProxyTracker tracker = new ProxyTracker(metrics);
  private final Reporter reporter = new Reporter();
  private final StatusMetrics statusMetrics = new StatusMetrics(reporter, metrics);
  private final RejectionLog rejectionLog = new RejectionLog(reporter);
  private final ProcessMetrics processMetrics = new ProcessMetrics(metrics);
  private final InvalidRouteMetrics invalidRoutes = new InvalidRouteMetrics(metrics);
  private final Timer translationTime = Timer.builder("gloo.translation.duration")
      .description("time to translate all resources into snapshots").register(metrics);
  /**
   * {@code gloo_translation_phase_seconds{phase}}: parse (files or API objects to a snapshot, see
   * {@link ConfigSource#timeParsing}), translate (resources to xDS), publish (the pre-publish check of
   * Envoy's constraints, hashing, the snapshot cache), report (statuses and their writes queued). Four series.
   */
  private final Map<String, Timer> phaseTimes = Map.of("parse", phaseTimer("parse"),
      "translate", phaseTimer("translate"), "publish", phaseTimer("publish"), "report", phaseTimer("report"));
  private final Counter translations = Counter.builder("gloo.translations")
      .description("translations run").tag("result", "ok").register(metrics);
  private final Counter translationErrors = Counter.builder("gloo.translations")
      .description("translations run").tag("result", "error").register(metrics);
  private final AtomicReference<String> notReady = new AtomicReference<>("starting");

  private final KindRegistry kinds = KindRegistry.withBuiltins();
  /** Translations run one at a time: on the config source's thread, or on the plugin thread after a change. */
  private final Object translateLock = new Object();
  private final PluginManager pluginManager;
  private volatile LoadedPlugins plugins = LoadedPlugins.EMPTY;

  private final ConfigSource source;
  private final KubernetesStatusWriter statusWriter;
  private final ProxyProvisioner provisioner;
  private final LeaderElection leaderElection;
  private final ServeOptions.Kubernetes kube;
  private final XdsServer xds;
  private final AdminServer admin;

  /** What becomes of a route Envoy would reject ({@code --route-replacement}). */
  private final RouteReplacement routeReplacement;

  private GlooServer(ServeOptions options, AdminAccess adminAccess, RouteReplacement routeReplacement)
      throws IOException {
    this.routeReplacement = java.util.Objects.requireNonNull(routeReplacement, "routeReplacement");
    // Jetty's classes load on another core while plugins start; the port is bound below, in the same order as before
    Supplier<AdminServer.Prepared> adminJetty = AdminServer.prepareInBackground(options.adminAddress());
    this.invoker = new PluginInvoker(options.pluginCallTimeout(), metrics);
    invoker.onRetryDue(this::retryOpenCircuits);
    this.translator = translatorFor(LoadedPlugins.EMPTY);
    tracker.onChange(event -> refreshXdsErrors());
    // Plugins load before the first translation, so their kinds are registered when the directory is first read.
    this.pluginManager = options.plugins() == null ? null
        : new PluginManager(options.plugins(), kinds, metrics, pluginNetwork(options));
    XdsServer startedXds = null;
    try {
      if (pluginManager != null) {
        plugins = pluginManager.start();
        translator = translatorFor(plugins);
        pluginManager.addListener(this::pluginsChanged);
        io.gloo.core.plugin.PluginInfoMetrics.bind(pluginManager, metrics);
      }
      startedXds = ListenFailure.listen(options.xdsAddress(), "xDS", () -> XdsServer.start(options.xdsAddress(),
          new NackHoldingConfigWatcher(publisher.cache(), tracker), List.of(tracker), XdsServer.DEFAULT_SHUTDOWN_GRACE,
          xdsTls(options), XdsServer.Pushes.DEFAULT.withMinInterval(options.xdsMinPushInterval())));
      this.xds = startedXds;
      this.kube = options.kubernetes();
      if (kube == null) {
        this.source = new DirectorySource(options.configDir(), options.debounce(), new ManifestParser(kinds),
            options.maxManifestBytes());
        this.statusWriter = null;
        this.provisioner = null;
        this.leaderElection = null;
      } else {
        KubernetesSource ks = new KubernetesSource(kube.client(), kinds, kube.watchNamespaces(), kube.debounce(),
            kube.syncTimeout());
        this.source = ks;
        this.statusWriter = kube.writeStatus() ? new KubernetesStatusWriter(kube.client(), reporter, ks::cached, kinds,
            kube.statusWritesPerSecond()) : null;
        this.provisioner = kube.provisioning() == null ? null
            : new ProxyProvisioner(kube.client(), reporter, kube.provisioning().securedBy(options.ca()),
                kube.watchNamespaces());
        // One leader does both the leader-only jobs: writing statuses and provisioning proxies.
        this.leaderElection = (statusWriter == null && provisioner == null) || kube.leaderElectionNamespace() == null
            ? null
            : new LeaderElection(kube.client(), kube.leaderElectionNamespace(), kube.identity(), kube.timings(),
                this::setLeader);
      }
      AdminServer.Prepared prepared = adminJetty.get();
      this.admin = ListenFailure.listen(options.adminAddress(), "admin API",
          () -> AdminServer.start(prepared, adminAccess, this));
    } catch (IOException | RuntimeException e) {
      if (startedXds != null) {
        startedXds.close(); // a taken admin port must not leave the xDS port bound
      }
      if (pluginManager != null) {
        pluginManager.close();
      }
      throw e;
    }
    try {
      source.timeParsing(nanos -> phaseTimes.get("parse").record(nanos, TimeUnit.NANOSECONDS));
      source.start(this::translate);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    // Statuses are written only once the first translation is done: a replica never writes from empty caches.
    if (leaderElection != null) {
      leaderElection.start();
    } else if (kube != null) {
      setLeader(true);
    }
    notReady.set(null);
    LOG.info("serving {}: xDS on port {}, admin on port {}, {} plugins started", source.describe(), xds.port(),
        admin.port(), plugins.started().size());
  }

  /** mTLS for xDS from the CA, or null (plaintext, with a WARN and {@code gloo_xds_insecure 1}). */
  private XdsServer.Tls xdsTls(ServeOptions options) {
    Gauge.builder("gloo.xds.insecure", () -> options.ca() == null ? 1 : 0)
        .description("1 when xDS is served in plaintext without authentication (--xds-insecure)").register(metrics);
    if (options.ca() == null) {
      LOG.warn("xDS is served in PLAINTEXT without authentication (--xds-insecure): anyone who reaches port {} can "
          + "read every Gateway's configuration, TLS private keys included. Use it for a local try-out only.",
          options.xdsAddress().getPort());
      return null;
    }
    List<String> hosts = new ArrayList<>(List.of(options.xdsAddress().getHostString()));
    if (options.kubernetes() != null && options.kubernetes().provisioning() != null) {
      hosts.add(com.google.common.net.HostAndPort.fromString(options.kubernetes().provisioning().xdsAddress())
          .getHost());
    }
    return XdsServer.Tls.issue(options.ca(), hosts, metrics);
  }

  private void setLeader(boolean leader) {
    if (statusWriter != null) {
      statusWriter.setLeader(leader);
    }
    if (provisioner != null) {
      provisioner.setLeader(leader);
    }
  }

  /**
   * A plugin came, went or was replaced: its kinds are already (un)registered in the KindRegistry by the manager.
   * Re-parse every manifest (documents of new kinds load, of removed kinds drop out) and translate again, even if
   * no resource changed (a replaced plugin translates differently).
   */
  private void pluginsChanged(LoadedPlugins now) {
    plugins = now;
    synchronized (translateLock) {
      Translator previous = translator;
      translator = translatorFor(now);
      previous.close();
    }
    ConfigSource current = source;
    if (current == null || notReady.get() != null) {
      return; // not serving yet (the first read sees the registry as it is) or shutting down
    }
    if (current instanceof DirectorySource directory && !directory.rescanAll()) {
      translate(directory.current());
    } else if (current instanceof KubernetesSource kubernetes && !kubernetes.refreshKinds()) {
      translate(kubernetes.current());
    }
  }

  /**
   * A plugin's open circuit is due for a trial call: translate the current snapshot again, so that its routes come
   * back as soon as it answers instead of at the next change.
   */
  private void retryOpenCircuits() {
    ConfigSource current = source;
    if (current != null && notReady.get() == null) {
      translate(current.current());
    }
  }

  /** A translator for these plugins' policy kinds; what plugins produce is checked against Envoy's constraints. */
  private Translator translatorFor(LoadedPlugins loaded) {
    // Guarding kinds whose plugin went stay known, so that their policies close routes rather than open them.
    List<AbsentKind> absent = new ArrayList<>();
    this.kinds.held().forEach((info, guard) -> absent.add(new AbsentKind(new io.gloo.spi.policy.GroupKind(
        info.apiVersion().contains("/") ? info.apiVersion().substring(0, info.apiVersion().indexOf('/')) : "",
        info.kind()), guard.pluginId(), guard.failClosed(), guard.failClosedFields())));
    return new Translator(loaded.policyCatalog(absent), invoker,
        message -> constraints.validate(message).stream().map(Object::toString).toList(), routeReplacement,
        publisher.validator());
  }

  /** Starts every part; returns once the first translation is published and all ports listen. */
  public static GlooServer start(ServeOptions options) throws IOException {
    return new GlooServer(options, AdminAccess.loopbackOnly(), RouteReplacement.STANDARD);
  }

  /** As {@link #start(ServeOptions)}, with the admin API's dumps served as {@code adminAccess} allows. */
  public static GlooServer start(ServeOptions options, AdminAccess adminAccess) throws IOException {
    return new GlooServer(options, adminAccess, RouteReplacement.STANDARD);
  }

  /** As {@link #start(ServeOptions)}, with this treatment of routes Envoy would reject. */
  public static GlooServer start(ServeOptions options, RouteReplacement routeReplacement) throws IOException {
    return new GlooServer(options, AdminAccess.loopbackOnly(), routeReplacement);
  }

  /** Both of the above. */
  public static GlooServer start(ServeOptions options, AdminAccess adminAccess, RouteReplacement routeReplacement)
      throws IOException {
    return new GlooServer(options, adminAccess, routeReplacement);
  }

  private Timer phaseTimer(String phase) {
    return Timer.builder("gloo.translation.phase").description("time of each phase of a translation")
        .tag("phase", phase).publishPercentileHistogram().register(metrics);
  }

  private void translate(ResourceSnapshot snapshot) {
    synchronized (translateLock) {
      translateLocked(snapshot);
    }
  }

  private void translateLocked(ResourceSnapshot snapshot) {
    TranslationResult result;
    try {
      result = translationTime.recordCallable(() -> phaseTimes.get("translate")
          .recordCallable(() -> translator.translate(snapshot)));
    } catch (Exception | StackOverflowError e) {
      // A translator bug must not take the proxies down: they keep the last good snapshot.
      translationErrors.increment();
      LOG.error("translation failed; proxies keep their last good configuration", e);
      return;
    }
    translations.increment();
    invalidRoutes.translated(result);
    long translated = System.nanoTime();
    publisher.publish(result.gateways());
    long published = System.nanoTime();
    if (provisioner != null) {
      // Gateway addresses from the proxy Services (into the reporter); the API work runs on its own thread.
      provisioner.update(snapshot);
    }
    reporter.translated(result.statuses(), snapshot.problems());
    refreshXdsErrors();
    phaseTimes.get("publish").record(published - translated, TimeUnit.NANOSECONDS);
    phaseTimes.get("report").record(System.nanoTime() - published, TimeUnit.NANOSECONDS);
  }

  /** Puts what the running system knows (inconsistent snapshots, NACKs) into the Gateways' statuses. */
  private void refreshXdsErrors() {
    Map<ResourceKey, List<String>> errors = new TreeMap<>();
    for (Map.Entry<ResourceKey, SnapshotError> e : publisher.errors().entrySet()) {
      errors.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
          .add("snapshot not published, the last good one keeps serving: " + e.getValue().message());
    }
    for (ResourceKey gateway : publisher.current().keySet()) {
      for (Nack nack : tracker.activeNacks(gateway)) {
        errors.computeIfAbsent(gateway, k -> new ArrayList<>()).add("proxy " + nack.nodeId() + " rejected "
            + shortType(nack.typeUrl()) + " version " + nack.rejectedVersion() + ": " + nack.message());
      }
    }
    reporter.xdsErrors(errors);
  }

  private static String shortType(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('.') + 1);
  }

  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  public SnapshotPublisher publisher() {
    return publisher;
  }

  public ProxyTracker tracker() {
    return tracker;
  }

  public Reporter reporter() {
    return reporter;
  }

  public ConfigSource source() {
    return source;
  }

  /** The plugins as of the latest change (empty when serving without plugins). */
  public LoadedPlugins plugins() {
    return plugins;
  }

  /** The kinds the config source parses: built-ins plus those of started plugins. */
  /** Calls into plugins, with each plugin's circuit breaker. */
  public PluginInvoker invoker() {
    return invoker;
  }

  public KindRegistry kinds() {
    return kinds;
  }

  /** The plugin manager, or null when serving without plugins. */
  public PluginManager pluginManager() {
    return pluginManager;
  }

  public int xdsPort() {
    return xds.port();
  }

  public int adminPort() {
    return admin.port();
  }

  /** The status writer (cluster mode with status writing), or null. */
  public KubernetesStatusWriter statusWriter() {
    return statusWriter;
  }

  /** The proxy provisioner (cluster mode with provisioning), or null. */
  public ProxyProvisioner provisioner() {
    return provisioner;
  }

  /** The leader election (cluster mode with a lease namespace), or null. */
  public LeaderElection leaderElection() {
    return leaderElection;
  }

  /**
   * Null when ready to serve; otherwise why not (starting, shutting down, the source is out of sync, or a plugin
   * port could not be bound).
   */
  public String notReadyReason() {
    String reason = notReady.get();
    reason = reason != null ? reason : source.notReadyReason();
    List<String> ports = reason != null || pluginManager == null ? List.of() : pluginManager.portFailures();
    return reason != null || ports.isEmpty() ? reason : String.join("; ", ports);
  }

  /**
   * Null when nothing is degraded; otherwise what serves less than it should while the server stays ready: plugin
   * archives that failed to load (a replacement refused while its previous version keeps serving, or a new plugin
   * that did not start), one {@link PluginProblem#brief()} each (no reasons: {@code /readyz} answers anyone; the
   * reasons are in {@code /statuses} and {@code /plugins}), joined by "; ".
   */
  public String degradedReason() {
    if (pluginManager == null) {
      return null;
    }
    List<String> problems = pluginManager.problems().stream().map(PluginProblem::brief).toList();
    return problems.isEmpty() ? null : String.join("; ", problems) + " (see /statuses)";
  }

  /**
   * Plugin ports listen on the serve bind address (that of the xDS port, {@code --bind}); peer-authenticated plugin
   * services (config streams) get mutual TLS from the CA, or plaintext with a WARN without one.
   */
  private static PluginNetwork pluginNetwork(ServeOptions options) {
    java.net.InetAddress bind = options.xdsAddress().getAddress();
    return new PluginNetwork(bind == null || bind.isAnyLocalAddress() ? null : bind,
        options.ca() == null ? null : new CaPeerTls(options.ca()), null);
  }

  @Override
  public void close() {
    notReady.set("shutting down");
    if (leaderElection != null) {
      leaderElection.close();
    }
    if (statusWriter != null) {
      statusWriter.close();
    }
    if (provisioner != null) {
      provisioner.close();
    }
    source.close();
    if (kube != null) {
      kube.client().close();
    }
    if (pluginManager != null) {
      pluginManager.close();
    }
    xds.close();
    admin.close();
    translator.close();
    invoker.close();
    processMetrics.close();
    metrics.close();
  }
}
