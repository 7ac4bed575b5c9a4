package io.gloo.core.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.gloo.core.admin.AdminAccess;
import io.gloo.core.plugin.PluginManager;
import io.gloo.core.provision.ProxyProvisioner;
import io.gloo.core.security.CaDirectory;
import io.gloo.core.security.CertificateAuthority;
import io.gloo.core.server.GlooServer;
import io.gloo.core.server.ServeOptions;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gloo serve}: run the control plane on a directory of manifests. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Serve Gateway API config to Envoy proxies over xDS: the manifests in a directory (--config-dir),"
        + " or what a Kubernetes cluster holds (--kubeconfig, or KUBECONFIG / ~/.kube/config / in-cluster"
        + " credentials when --config-dir is absent), writing statuses back from the elected leader."})
final class ServeCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--config-dir", description = "Directory of Kubernetes YAML manifests (embedded mode).")
  Path configDir;

  @Option(names = "--kubeconfig", paramLabel = "PATH",
      description = "Read from the cluster this kubeconfig names (default without --config-dir: KUBECONFIG,"
          + " ~/.kube/config or in-cluster credentials).")
  Path kubeconfig;

  @Option(names = "--watch-namespaces", split = ",", paramLabel = "NS",
      description = "Watch namespaced kinds only in these namespaces (default: all).")
  List<String> watchNamespaces = new ArrayList<>();

  @Option(names = "--leader-election-namespace", paramLabel = "NS",
      description = "Namespace of the leader-election Lease (default: $POD_NAMESPACE, the in-cluster namespace,"
          + " the kubeconfig's namespace, or gloo-system).")
  String leaderElectionNamespace;

  @Option(names = "--no-leader-election", description = "Always write statuses (a single replica).")
  boolean noLeaderElection;

  @Option(names = "--no-provisioning",
      description = "Do not run a proxy (Deployment, Service, ServiceAccount, ConfigMap) per Gateway of our class.")
  boolean noProvisioning;

  @Option(names = "--envoy-image", defaultValue = ProxyProvisioner.DEFAULT_ENVOY_IMAGE, paramLabel = "IMAGE",
      description = "Image of the provisioned proxies (default: ${DEFAULT-VALUE}).")
  String envoyImage;

  @Option(names = "--proxy-service-type", defaultValue = ProxyProvisioner.DEFAULT_SERVICE_TYPE, paramLabel = "TYPE",
      description = "Type of the provisioned proxies' Services: LoadBalancer, NodePort or ClusterIP"
          + " (default: ${DEFAULT-VALUE}).")
  String proxyServiceType;

  @Option(names = "--xds-service-address", paramLabel = "HOST:PORT",
      description = "Where provisioned proxies reach the control plane's xDS server"
          + " (default: gloo-gateway.<namespace>.svc.cluster.local:9977, <namespace> as for the Lease).")
  String xdsServiceAddress;

  @Option(names = "--bind", defaultValue = "0.0.0.0", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(names = "--xds-port", defaultValue = "9977", description = "xDS gRPC port (default: ${DEFAULT-VALUE}).")
  int xdsPort;

  @Option(names = "--admin-port", defaultValue = "9091", description = "Admin HTTP port (default: ${DEFAULT-VALUE}).")
  int adminPort;

  @Option(names = "--admin-bind", defaultValue = "127.0.0.1", paramLabel = "ADDR",
      description = "Where the admin dumps (/snapshots, /statuses, /route-check, /plugins) are served besides"
          + " loopback: 0.0.0.0 or a local address, with --admin-token-file (default: ${DEFAULT-VALUE}, loopback"
          + " only). /healthz, /readyz and /metrics are served on --bind.")
  String adminBind;

  @Option(names = "--admin-token-file", paramLabel = "FILE",
      description = "Bearer token the admin dumps require from beyond loopback (needed with --admin-bind).")
  Path adminTokenFile;

  @Option(names = "--debounce", defaultValue = "25ms",
      description = "Quiet time after file changes before translating (default: ${DEFAULT-VALUE}).")
  Duration debounce;

  @Option(names = "--max-manifest-bytes", defaultValue = "16MiB", paramLabel = "SIZE", converter = ByteSizeConverter.class,
      description = "Largest manifest file read (bytes, KiB, MiB); a larger one is reported and keeps serving its last"
          + " good resources (default: ${DEFAULT-VALUE}).")
  long maxManifestBytes;

  @Mixin
  PluginOptions pluginOptions;

  @Option(names = "--plugin-call-timeout", defaultValue = "2s", paramLabel = "DURATION",
      description = "How long one call into a plugin may take before its route answers 500 (default: ${DEFAULT-VALUE}).")
  Duration pluginCallTimeout;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "Where the control plane keeps its CA (ca.crt, ca.key) in directory mode"
          + " (default: <config-dir parent>/.gloo). On a cluster the CA is the Secret gloo-ca in its namespace.")
  Path stateDir;

  @Option(names = "--xds-insecure",
      description = "Serve xDS in plaintext without authentication (local try-out only; default: mutual TLS).")
  boolean xdsInsecure;

  @Option(names = "--xds-min-push-interval", defaultValue = "100ms", paramLabel = "DURATION",
      description = "Minimum time between two pushes of one xDS type to one proxy: changes meanwhile (endpoint churn)"
          + " are coalesced into one push of the latest version; 0 pushes every version (default: ${DEFAULT-VALUE}).")
  Duration xdsMinPushInterval;

  @Option(names = "--route-replacement", defaultValue = "standard", paramLabel = "MODE",
      converter = TranslateCommand.RouteReplacementConverter.class,
      description = "What becomes of a route Envoy would reject: standard (answers 500 with its match) or strict"
          + " (dropped); the rest of its Gateway is served either way. Default: ${DEFAULT-VALUE}.")
  io.gloo.core.translate.xds.RouteReplacement routeReplacement;

  @Override
  public Integer call() throws Exception {
    if (configDir != null && kubeconfig != null) {
      spec.commandLine().getErr().println("gloo serve: give --config-dir or --kubeconfig, not both");
      return 2;
    }
    if (configDir != null && !Files.isDirectory(configDir)) {
      spec.commandLine().getErr().println("gloo serve: --config-dir " + configDir + " is not a directory");
      return 2;
    }
    if (kubeconfig != null && !Files.isRegularFile(kubeconfig)) {
      spec.commandLine().getErr().println("gloo serve: --kubeconfig " + kubeconfig + " is not a file");
      return 2;
    }
    PluginManager.Options plugins;
    try {
      plugins = pluginOptions.serving();
    } catch (IllegalArgumentException e) {
      System.err.println("gloo serve: " + e.getMessage());
      return 2;
    }
    if (xdsMinPushInterval.isNegative()) {
      spec.commandLine().getErr().println("gloo serve: --xds-min-push-interval must not be negative");
      return 2;
    }
    AdminAccess adminAccess;
    try {
      adminAccess = AdminAccess.of(adminBind, adminTokenFile);
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("gloo serve: " + e.getMessage());
      return 2;
    }
    ServeOptions options = new ServeOptions(configDir, new InetSocketAddress(bind, xdsPort),
        new InetSocketAddress(bind, adminPort), debounce, plugins)
        .withPluginCallTimeout(pluginCallTimeout).withMaxManifestBytes(maxManifestBytes)
        .withXdsMinPushInterval(xdsMinPushInterval);
    String what = String.valueOf(configDir);
    if (configDir == null) {
      Config config = kubeconfig == null ? Config.autoConfigure(null)
          : Config.fromKubeconfig(Files.readString(kubeconfig));
      KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
      String namespace = leaderElectionNamespace != null ? leaderElectionNamespace : defaultNamespace(config);
      ServeOptions.Kubernetes kube = ServeOptions.Kubernetes.of(client, noLeaderElection ? null : namespace,
          identity()).withWatchNamespaces(new LinkedHashSet<>(watchNamespaces));
      if (!noProvisioning) {
        kube = kube.withProvisioning(ProxyProvisioner.Options.defaults(namespace)
            .withEnvoyImage(envoyImage)
            .withServiceType(proxyServiceType)
            .withXdsAddress(xdsServiceAddress != null ? xdsServiceAddress
                : ProxyProvisioner.Options.defaultXdsAddress(namespace)));
      }
      options = options.withKubernetes(kube);
      what = "cluster " + config.getMasterUrl();
    }
    if (!xdsInsecure) {
      try {
        options = options.withCa(options.kubernetes() != null
            ? CertificateAuthority.loadOrCreate(options.kubernetes().client(), caNamespace(options))
            : CertificateAuthority.loadOrCreate(stateDir != null ? stateDir : CaDirectory.defaultStateDir(configDir)));
      } catch (java.io.IOException | RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(ServeCommand.class).debug("cannot load or create the CA", e);
        spec.commandLine().getErr().println("gloo serve: cannot load or create the CA: " + e.getMessage());
        return 1;
      }
    }
    GlooServer server = GlooServer.start(options, adminAccess, routeReplacement);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "gloo-shutdown"));
    spec.commandLine().getErr().printf("gloo: serving %s — xDS on %s:%d, admin on http://%s:%d (Ctrl-C to stop)%n",
        what, bind, server.xdsPort(), bind, server.adminPort());
    spec.commandLine().getErr().flush();
    stopped.await();
    return 0;
  }

  /** The control plane's namespace, where the CA Secret lives: the Lease's namespace (--leader-election-namespace). */
  private String caNamespace(ServeOptions options) {
    return leaderElectionNamespace != null ? leaderElectionNamespace
        : defaultNamespace(options.kubernetes().client().getConfiguration());
  }

  /** Where this replica runs: $POD_NAMESPACE, the in-cluster service account's namespace, the kubeconfig's. */
  static String defaultNamespace(Config config) {
    String env = System.getenv("POD_NAMESPACE");
    if (env != null && !env.isBlank()) {
      return env;
    }
    Path inCluster = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
    try {
      if (Files.isReadable(inCluster)) {
        return Files.readString(inCluster).trim();
      }
    } catch (java.io.IOException e) {
      // fall through
    }
    return config.getNamespace() != null ? config.getNamespace() : "gloo-system";
  }

  /** The Lease identity: $POD_NAME, else the host name, plus a random suffix outside a pod. */
  static String identity() {
    String pod = System.getenv("POD_NAME");
    if (pod != null && !pod.isBlank()) {
      return pod;
    }
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "gloo";
    }
    return host + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
  }
}
