package io.gloo.core.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.gloo.core.plugin.PluginManager;
import io.gloo.core.provision.ProxyProvisioner;
import io.gloo.core.report.KubernetesStatusWriter;
import io.gloo.core.security.CertificateAuthority;
import io.gloo.core.watch.DirectorySource;
import io.gloo.core.watch.KubernetesSource;
import io.gloo.core.xds.PushPacer;
import io.gloo.core.translate.policy.PluginInvoker;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * How {@code gloo serve} runs.
 *
 * @param configDir the directory of manifests to serve (the embedded default config source); ignored when
 *     {@code kubernetes} is set
 * @param xdsAddress where the xDS gRPC server listens (default port 9977; port 0 picks a free one)
 * @param adminAddress where the admin HTTP API listens (default port 9091; port 0 picks a free one)
 * @param debounce how long the directory watcher waits for a burst of file changes to settle
 * @param plugins where and which plugins to load; null loads none
 * @param kubernetes read from a cluster instead of a directory, and write statuses back; null for directory mode
 * @param pluginCallTimeout how long one call into a plugin may take before it is abandoned and its route fails
 * @param ca the control plane's CA, which issues the certificates of every TLS port (xDS, plugin services); null
 *     serves them in plaintext ({@code --xds-insecure}), which {@code GlooServer} warns about
 * @param maxManifestBytes directory mode: the largest manifest file read ({@code --max-manifest-bytes}); 0 for the
 *     default, {@link DirectorySource#DEFAULT_MAX_MANIFEST_BYTES}
 * @param xdsMinPushInterval the minimum interval between two pushes of one xDS type to one proxy
 *     ({@code --xds-min-push-interval}); null for the default, {@link PushPacer#DEFAULT_MIN_INTERVAL}
 */
public record ServeOptions(Path configDir, InetSocketAddress xdsAddress, InetSocketAddress adminAddress,
    Duration debounce, PluginManager.Options plugins, Kubernetes kubernetes, Duration pluginCallTimeout,
    CertificateAuthority ca, long maxManifestBytes, Duration xdsMinPushInterval) {

  public ServeOptions {
    pluginCallTimeout = pluginCallTimeout == null ? PluginInvoker.DEFAULT_TIMEOUT : pluginCallTimeout;
    xdsMinPushInterval = xdsMinPushInterval == null ? PushPacer.DEFAULT_MIN_INTERVAL : xdsMinPushInterval;
    maxManifestBytes = maxManifestBytes <= 0 ? DirectorySource.DEFAULT_MAX_MANIFEST_BYTES : maxManifestBytes;
  }

  public ServeOptions(Path configDir, InetSocketAddress xdsAddress, InetSocketAddress adminAddress,
      Duration debounce, PluginManager.Options plugins, Kubernetes kubernetes, Duration pluginCallTimeout,
      CertificateAuthority ca) {
    this(configDir, xdsAddress, adminAddress, debounce, plugins, kubernetes, pluginCallTimeout, ca, 0, null);
  }

  public ServeOptions(Path configDir, InetSocketAddress xdsAddress, InetSocketAddress adminAddress,
      Duration debounce, PluginManager.Options plugins, Kubernetes kubernetes) {
    this(configDir, xdsAddress, adminAddress, debounce, plugins, kubernetes, null, null);
  }

  /**
   * Cluster mode.
   *
   * @param client the client to use (the server closes it on close)
   * @param watchNamespaces namespaces to watch namespaced kinds in; empty for all
   * @param leaderElectionNamespace where the leader-election Lease lives (the control plane's namespace); null
   *     disables leader election and this replica always writes status
   * @param identity this replica's identity in the Lease (pod name)
   * @param timings the Lease timings
   * @param debounce quiet time after informer events before a new snapshot
   * @param syncTimeout how long start-up waits for the informers' first list
   * @param statusWritesPerSecond status write rate limit
   * @param writeStatus whether to write statuses back at all
   * @param provisioning how to provision a proxy (Deployment, Service, ...) per Gateway of our class; null
   *     provisions none
   */
  public record Kubernetes(KubernetesClient client, Set<String> watchNamespaces, String leaderElectionNamespace,
      String identity, LeaderElection.Timings timings, Duration debounce, Duration syncTimeout,
      double statusWritesPerSecond, boolean writeStatus, ProxyProvisioner.Options provisioning) {
    public Kubernetes {
      Objects.requireNonNull(client, "client");
      watchNamespaces = Set.copyOf(watchNamespaces);
      Objects.requireNonNull(identity, "identity");
      Objects.requireNonNull(timings, "timings");
      Objects.requireNonNull(debounce, "debounce");
      Objects.requireNonNull(syncTimeout, "syncTimeout");
    }

    /** Defaults: all namespaces, leader election in {@code namespace}, 50 ms debounce, 20 status writes/s. */
    public static Kubernetes of(KubernetesClient client, String leaderElectionNamespace, String identity) {
      return new Kubernetes(client, Set.of(), leaderElectionNamespace, identity, LeaderElection.Timings.DEFAULT,
          KubernetesSource.DEFAULT_DEBOUNCE, Duration.ofMinutes(5), KubernetesStatusWriter.DEFAULT_WRITES_PER_SECOND,
          true, null);
    }

    /** Provisions a proxy per Gateway (null: none). */
    public Kubernetes withProvisioning(ProxyProvisioner.Options p) {
      return new Kubernetes(client, watchNamespaces, leaderElectionNamespace, identity, timings, debounce,
          syncTimeout, statusWritesPerSecond, writeStatus, p);
    }

    public Kubernetes withWatchNamespaces(Set<String> namespaces) {
      return new Kubernetes(client, namespaces, leaderElectionNamespace, identity, timings, debounce, syncTimeout,
          statusWritesPerSecond, writeStatus, provisioning);
    }

    public Kubernetes withTimings(LeaderElection.Timings t) {
      return new Kubernetes(client, watchNamespaces, leaderElectionNamespace, identity, t, debounce, syncTimeout,
          statusWritesPerSecond, writeStatus, provisioning);
    }

    public Kubernetes withSyncTimeout(Duration d) {
      return new Kubernetes(client, watchNamespaces, leaderElectionNamespace, identity, timings, debounce, d,
          statusWritesPerSecond, writeStatus, provisioning);
    }

    public Kubernetes withStatusWritesPerSecond(double rate) {
      return new Kubernetes(client, watchNamespaces, leaderElectionNamespace, identity, timings, debounce,
          syncTimeout, rate, writeStatus, provisioning);
    }
  }

  /** Without plugins. */
  public ServeOptions(Path configDir, InetSocketAddress xdsAddress, InetSocketAddress adminAddress,
      Duration debounce) {
    this(configDir, xdsAddress, adminAddress, debounce, null, null);
  }

  /** Directory mode. */
  public ServeOptions(Path configDir, InetSocketAddress xdsAddress, InetSocketAddress adminAddress,
      Duration debounce, PluginManager.Options plugins) {
    this(configDir, xdsAddress, adminAddress, debounce, plugins, null);
  }

  public ServeOptions withPlugins(PluginManager.Options plugins) {
    return new ServeOptions(configDir, xdsAddress, adminAddress, debounce, plugins, kubernetes, pluginCallTimeout, ca,
        maxManifestBytes, xdsMinPushInterval);
  }

  public ServeOptions withKubernetes(Kubernetes kubernetes) {
    return new ServeOptions(configDir, xdsAddress, adminAddress, debounce, plugins, kubernetes, pluginCallTimeout, ca,
        maxManifestBytes, xdsMinPushInterval);
  }

  public ServeOptions withPluginCallTimeout(Duration timeout) {
    return new ServeOptions(configDir, xdsAddress, adminAddress, debounce, plugins, kubernetes, timeout, ca,
        maxManifestBytes, xdsMinPushInterval);
  }

  /** Serves TLS with certificates from {@code ca}; null for plaintext. */
  public ServeOptions withCa(CertificateAuthority ca) {
    return new ServeOptions(configDir, xdsAddress, adminAddress, debounce, plugins, kubernetes, pluginCallTimeout, ca,
        maxManifestBytes, xdsMinPushInterval);
  }

  /** Directory mode: files over {@code bytes} are reported, not read. */
  public ServeOptions withMaxManifestBytes(long bytes) {
    return new ServeOptions(configDir, xdsAddress, adminAddress, debounce, plugins, kubernetes, pluginCallTimeout, ca,
        bytes, xdsMinPushInterval);
  }

  /** The minimum interval between two pushes of one xDS type to one proxy ({@code --xds-min-push-interval}). */
  public ServeOptions withXdsMinPushInterval(Duration interval) {
    return new ServeOptions(configDir, xdsAddress, adminAddress, debounce, plugins, kubernetes, pluginCallTimeout, ca,
        maxManifestBytes, interval);
  }

  public static final int DEFAULT_XDS_PORT = 9977;
  public static final int DEFAULT_ADMIN_PORT = 9091;

  public static ServeOptions defaults(Path configDir) {
    return new ServeOptions(configDir, new InetSocketAddress(DEFAULT_XDS_PORT),
        new InetSocketAddress(DEFAULT_ADMIN_PORT), Duration.ofMillis(100));
  }
}
