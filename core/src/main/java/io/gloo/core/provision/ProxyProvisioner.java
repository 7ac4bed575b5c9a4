package io.gloo.core.provision;

import com.google.common.hash.Hashing;
import com.google.common.util.concurrent.RateLimiter;
import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gloo.core.report.Reporter;
import io.gloo.core.server.ServeOptions;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.gatewayapi.GatewayApi;
import io.gloo.core.security.CertificateAuthority;
import io.gloo.core.xds.BootstrapGenerator;
import io.gloo.core.xds.BootstrapTls;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an Envoy proxy for every Gateway of our class, as Gloo Gateway does: in the Gateway's namespace, objects
 * named {@code gloo-proxy-<gateway>} — a ServiceAccount, a ConfigMap holding the Envoy bootstrap
 * ({@link BootstrapGenerator#provisionedYaml}) pointing at the control plane's xDS Service, a Deployment running Envoy
 * with the listeners' ports and a readiness probe on Envoy's {@code /ready}, and a Service (LoadBalancer by default)
 * exposing the listeners' ports. Every object carries the label {@value #GATEWAY_NAME_LABEL} and a controller owner
 * reference to the Gateway (with {@code blockOwnerDeletion}), so deleting the Gateway deletes them; when a Gateway
 * leaves our class its objects are deleted here.
 *
 * <p>{@link #update} is called after each translation with the snapshot just translated; it only records the
 * snapshot and computes the Gateways' {@code status.addresses} from the proxy Services in it (the LoadBalancer
 * ingress IPs or host names, else the ClusterIP), which it hands to the {@link Reporter} — the status writer writes
 * them with the rest of the Gateway status. The API work happens off the translation path, on the thread
 * {@value #THREAD_NAME}, on the latest snapshot only (bursts coalesce), at most {@code writesPerSecond} writes per
 * second, and only on the leader ({@link #setLeader}). It is idempotent: an object is written only when it differs
 * from what we want, and a Gateway whose desired objects did not change since they were last applied is skipped
 * until the periodic resync (or a leadership change) checks everything again.
 */
@ThreadSafe
public final class ProxyProvisioner implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyProvisioner.class);
  public static final String DEFAULT_ENVOY_IMAGE = "envoyproxy/envoy:v1.33-latest";
  public static final String DEFAULT_SERVICE_TYPE = "LoadBalancer";
  public static final String NAME_PREFIX = "gloo-proxy-";
  public static final String GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY = "gloo-gateway";
  public static final String APP_LABEL = "app.kubernetes.io/name";
  public static final String APP = "gloo-proxy";
  /** On the pod template: the bootstrap's hash, so that a changed bootstrap rolls the proxies. */
  public static final String BOOTSTRAP_HASH_ANNOTATION = "gateway.gloo.solo.io/bootstrap-hash";
  /** On the Deployment: the hash of the spec we want, to tell our changes from the API server's defaults. */
  public static final String SPEC_HASH_ANNOTATION = "gateway.gloo.solo.io/spec-hash";
  public static final String BOOTSTRAP_KEY = "envoy.yaml";
  public static final String CONTAINER_NAME = "envoy";
  static final String THREAD_NAME = "gloo-proxy-provisioner";
  /** The proxies' user and group. */
  public static final long PROXY_UID = 10101;
  private static final long RETRY_MILLIS = 1_000;
  private static final long MAX_RETRY_MILLIS = 60_000;

  /**
   * @param envoyImage the proxies' image
   * @param serviceType the proxy Services' type (LoadBalancer, NodePort or ClusterIP)
   * @param xdsAddress the control plane's xDS address as the proxies reach it ({@code host:port})
   * @param writesPerSecond API write rate limit
   * @param resync how often every Gateway's objects are checked again even without a change
   * @param certificates how each proxy's xDS client certificate is issued (a Secret mounted into the proxy, see
   *     {@link ProxyCertificates}); null: proxies connect in plaintext (the control plane runs {@code --xds-insecure})
   */
  public record Options(String envoyImage, String serviceType, String xdsAddress, double writesPerSecond,
      Duration resync, ProxyCertificates.Policy certificates) {
    public Options {
      Objects.requireNonNull(envoyImage, "envoyImage");
      Objects.requireNonNull(serviceType, "serviceType");
      Objects.requireNonNull(xdsAddress, "xdsAddress");
      Objects.requireNonNull(resync, "resync");
    }

    /** The xDS Service of a control plane installed in {@code namespace} (dist/src/install, the Helm chart). */
    public static String defaultXdsAddress(String namespace) {
      return "gloo-gateway." + namespace + ".svc.cluster.local:" + ServeOptions.DEFAULT_XDS_PORT;
    }

    public static Options defaults(String controlNamespace) {
      return new Options(DEFAULT_ENVOY_IMAGE, DEFAULT_SERVICE_TYPE, defaultXdsAddress(controlNamespace), 20,
          Duration.ofMinutes(5), null);
    }

    public Options withEnvoyImage(String image) {
      return new Options(image, serviceType, xdsAddress, writesPerSecond, resync, certificates);
    }

    public Options withServiceType(String type) {
      return new Options(envoyImage, type, xdsAddress, writesPerSecond, resync, certificates);
    }

    public Options withXdsAddress(String address) {
      return new Options(envoyImage, serviceType, address, writesPerSecond, resync, certificates);
    }

    public Options withCertificates(ProxyCertificates.Policy policy) {
      return new Options(envoyImage, serviceType, xdsAddress, writesPerSecond, resync, policy);
    }

    /** Certificates from {@code ca} with the default policy, unless a policy is set already; null {@code ca}: as is. */
    public Options securedBy(CertificateAuthority ca) {
      return ca == null || certificates != null ? this : withCertificates(ProxyCertificates.Policy.of(ca));
    }
  }

  private final KubernetesClient client;
  private final Reporter reporter;
  private final Options options;
  private final Set<String> watchNamespaces;
  private final RateLimiter limiter;
  /** Null when proxies connect in plaintext. Only touched on the provisioner thread. */
  private final ProxyCertificates certificates;
  /** The wake-up for the next certificate renewal (only touched on the provisioner thread). */
  private java.util.concurrent.ScheduledFuture<?> renewalWakeUp;
  private final AtomicBoolean leader = new AtomicBoolean();
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  private final Object lock = new Object();
  @GuardedBy("lock")
  private ResourceSnapshot latest;
  @GuardedBy("lock")
  private boolean dirty;
  @GuardedBy("lock")
  private boolean busy;
  @GuardedBy("lock")
  private boolean closed;
  /** Gateway → fingerprint of the objects last applied for it (only touched on the provisioner thread). */
  private final Map<ResourceKey, String> applied = new HashMap<>();
  /** The Gateways of our class as of the last clean-up; null forces one (only touched on the provisioner thread). */
  private Set<ResourceKey> lastOurs;
  /** Passes in a row that failed, for the retry back-off (only touched on the provisioner thread). */
  private int failedPasses;
  private volatile boolean resyncRequested;
  private final Thread thread;
  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, THREAD_NAME + "-retry");
    t.setDaemon(true);
    return t;
  });

  public ProxyProvisioner(KubernetesClient client, Reporter reporter, Options options, Set<String> watchNamespaces) {
    this.client = Objects.requireNonNull(client, "client");
    this.reporter = Objects.requireNonNull(reporter, "reporter");
    this.options = Objects.requireNonNull(options, "options");
    this.watchNamespaces = Set.copyOf(watchNamespaces);
    this.limiter = RateLimiter.create(options.writesPerSecond());
    this.certificates = options.certificates() == null ? null : new ProxyCertificates(client, options.certificates());
    this.thread = new Thread(this::run, THREAD_NAME);
    this.thread.setDaemon(true);
    thread.start();
  }

  public Options options() {
    return options;
  }

  /** The name of the objects provisioned for a Gateway. */
  public static String proxyName(String gateway) {
    return NAME_PREFIX + gateway;
  }

  /**
   * The snapshot just translated: updates the Gateways' addresses in the reporter at once (cheap), and schedules the
   * provisioning of the latest snapshot on the provisioner thread.
   */
  public void update(ResourceSnapshot snapshot) {
    reporter.gatewayAddresses(addresses(snapshot));
    synchronized (lock) {
      latest = snapshot;
      dirty = true;
      lock.notifyAll();
    }
  }

  /** Leading turns provisioning on (and checks every Gateway again); losing the lead stops it before the next write. */
  public void setLeader(boolean isLeader) {
    boolean was = leader.getAndSet(isLeader);
    if (isLeader && !was) {
      resyncRequested = true;
      synchronized (lock) {
        dirty = latest != null;
        lock.notifyAll();
      }
    }
  }

  public boolean isLeader() {
    return leader.get();
  }

  /** Writes (create, update, delete) that reached the API server. */
  public long writes() {
    return writes.get();
  }

  public long failures() {
    return failures.get();
  }

  /** Whether no provisioning is pending or in progress (for tests). */
  public boolean idle() {
    synchronized (lock) {
      return !dirty && !busy;
    }
  }

  // ---- status addresses

  /** Each of our Gateways' addresses, from its proxy Service in the snapshot (Gateways without one are absent). */
  static Map<ResourceKey, List<GatewayStatusAddress>> addresses(ResourceSnapshot snapshot) {
    Map<ResourceKey, List<GatewayStatusAddress>> result = new TreeMap<>();
    for (Gateway gateway : ours(snapshot)) {
      String ns = gateway.getMetadata().getNamespace();
      String name = gateway.getMetadata().getName();
      Service service = snapshot.get(Service.class, ns, proxyName(name)).orElse(null);
      if (service == null || !isOurs(service, name)) {
        continue;
      }
      result.put(ResourceKey.of(gateway), addressesOf(service));
    }
    return result;
  }

  /** The LoadBalancer ingress IPs and host names, else the ClusterIP (none while it is not allocated). */
  static List<GatewayStatusAddress> addressesOf(Service service) {
    List<GatewayStatusAddress> result = new ArrayList<>();
    if (service.getStatus() != null && service.getStatus().getLoadBalancer() != null
        && service.getStatus().getLoadBalancer().getIngress() != null) {
      for (LoadBalancerIngress ingress : service.getStatus().getLoadBalancer().getIngress()) {
        if (ingress.getIp() != null && !ingress.getIp().isEmpty()) {
          result.add(address("IPAddress", ingress.getIp()));
        } else if (ingress.getHostname() != null && !ingress.getHostname().isEmpty()) {
          result.add(address("Hostname", ingress.getHostname()));
        }
      }
    }
    String clusterIp = service.getSpec() == null ? null : service.getSpec().getClusterIP();
    if (result.isEmpty() && clusterIp != null && !clusterIp.isEmpty() && !"None".equals(clusterIp)) {
      result.add(address("IPAddress", clusterIp));
    }
    return result;
  }

  private static GatewayStatusAddress address(String type, String value) {
    GatewayStatusAddress a = new GatewayStatusAddress();
    a.setType(type);
    a.setValue(value);
    return a;
  }

  /** The Gateways whose class is one of ours (a GatewayClass naming our controller). */
  static List<Gateway> ours(ResourceSnapshot snapshot) {
    Set<String> classes = new HashSet<>();
    for (GatewayClass gc : snapshot.list(GatewayClass.class)) {
      if (gc.getSpec() != null && GatewayApi.CONTROLLER_NAME.equals(gc.getSpec().getControllerName())) {
        classes.add(gc.getMetadata().getName());
      }
    }
    List<Gateway> result = new ArrayList<>();
    for (Gateway gateway : snapshot.list(Gateway.class)) {
      if (gateway.getSpec() != null && classes.contains(gateway.getSpec().getGatewayClassName())) {
        result.add(gateway);
      }
    }
    return result;
  }

  private static boolean isOurs(HasMetadata object, String gateway) {
    Map<String, String> labels = object.getMetadata().getLabels();
    return labels != null && MANAGED_BY.equals(labels.get(MANAGED_BY_LABEL))
        && gateway.equals(labels.get(GATEWAY_NAME_LABEL));
  }

  // ---- the provisioner thread

  private void run() {
    while (true) {
      ResourceSnapshot snapshot;
      synchronized (lock) {
        busy = false;
        long deadline = System.currentTimeMillis() + options.resync().toMillis();
        while (!dirty && !closed) {
          long left = deadline - System.currentTimeMillis();
          if (left <= 0) {
            resyncRequested = true;
            dirty = latest != null;
            break;
          }
          try {
            lock.wait(Math.min(left, 1_000));
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
        if (!dirty) {
          continue;
        }
        dirty = false;
        busy = true;
        snapshot = latest;
      }
      if (!leader.get() || snapshot == null) {
        continue;
      }
      if (resyncRequested) {
        resyncRequested = false;
        applied.clear();
        lastOurs = null;
        if (certificates != null) {
          certificates.forget();
        }
      }
      reconcile(snapshot);
    }
  }

  private void reconcile(ResourceSnapshot snapshot) {
    boolean failed = false;
    Set<ResourceKey> ourKeys = new TreeSet<>();
    Map<ResourceKey, Set<Integer>> listenerSetPorts = GatewayApi.listenerSetPorts(snapshot);
    for (Gateway gateway : ours(snapshot)) {
      ResourceKey key = ResourceKey.of(gateway);
      ourKeys.add(key);
      try {
        // Checked on every pass (cached until due): a renewal changes the pod template, hence the fingerprint.
        String certificateHash = certificates == null ? null
            : certificates.ensure(key, meta(ProxyCertificates.secretName(key.name()), key.namespace(),
                labels(key.name()), Map.of(), owner(gateway)), this::write);
        Desired desired = desired(gateway, certificateHash, options, client.getKubernetesSerialization(),
            listenerSetPorts.getOrDefault(key, Set.of()));
        if (desired.fingerprint().equals(applied.get(key))) {
          continue;
        }
        apply(desired);
        applied.put(key, desired.fingerprint());
      } catch (RuntimeException e) {
        if (!leader.get()) {
          return;
        }
        failed = true;
        failures.incrementAndGet();
        LOG.warn("provisioning the proxy of {} failed, retrying: {}", key, e.toString());
      }
    }
    applied.keySet().retainAll(ourKeys);
    if (certificates != null) {
      certificates.retainAll(ourKeys);
      scheduleRenewal();
    }
    if (!ourKeys.equals(lastOurs)) {
      try {
        deleteOrphans(ourKeys);
        lastOurs = ourKeys;
      } catch (RuntimeException e) {
        failed = true;
        failures.incrementAndGet();
        LOG.warn("deleting the proxies of Gateways no longer ours failed, retrying: {}", e.toString());
      }
    }
    if (failed) {
      failedPasses++;
      retryLater(Math.min(MAX_RETRY_MILLIS, RETRY_MILLIS << Math.min(failedPasses - 1, 6)));
    } else {
      failedPasses = 0;
    }
  }

  /** Wakes the provisioner when the earliest proxy certificate is due for renewal (within the resync period). */
  private void scheduleRenewal() {
    if (renewalWakeUp != null) {
      renewalWakeUp.cancel(false);
      renewalWakeUp = null;
    }
    var next = certificates.nextRenewal();
    if (next.isEmpty()) {
      return;
    }
    long delay = Math.max(0, Duration.between(certificates.clock().instant(), next.get()).toMillis());
    if (delay >= options.resync().toMillis()) {
      return; // the periodic resync comes first
    }
    try {
      renewalWakeUp = retries.schedule(() -> {
        synchronized (lock) {
          if (!closed) {
            dirty = true;
            lock.notifyAll();
          }
        }
      }, delay + 1, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // closed meanwhile
    }
  }

  /** Provisions again after {@code delayMillis} (1 s doubling up to 60 s while passes keep failing). */
  private void retryLater(long delayMillis) {
    try {
      retries.schedule(() -> {
        synchronized (lock) {
          if (!closed) {
            dirty = true;
            lock.notifyAll();
          }
        }
      }, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // closed meanwhile
    }
  }

  // ---- desired objects

  /** What one Gateway should have; {@code fingerprint} changes whenever any of it does. */
  record Desired(ServiceAccount account, ConfigMap config, Deployment deployment, Service service,
      String fingerprint) {}

  private static Map<String, String> selector(String gatewayName) {
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(APP_LABEL, APP);
    selector.put(GATEWAY_NAME_LABEL, gatewayName);
    return selector;
  }

  private static Map<String, String> labels(String gatewayName) {
    Map<String, String> labels = selector(gatewayName);
    labels.put(MANAGED_BY_LABEL, MANAGED_BY);
    return labels;
  }

  private static OwnerReference owner(Gateway gateway) {
    return new OwnerReferenceBuilder()
        .withApiVersion(gateway.getApiVersion() == null ? "gateway.networking.k8s.io/v1" : gateway.getApiVersion())
        .withKind("Gateway")
        .withName(gateway.getMetadata().getName())
        .withUid(gateway.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /** What a Gateway should have with a plaintext xDS connection. */
  Desired desired(Gateway gateway) {
    return desired(gateway, null);
  }

  /**
   * What a Gateway should have.
   *
   * @param certificateHash the hash of its xDS client certificate (Secret {@link ProxyCertificates#secretName}),
   *     mounted at {@value ProxyCertificates#MOUNT_PATH} and named by the bootstrap; null for plaintext xDS
   */
  Desired desired(Gateway gateway, String certificateHash) {
    return desired(gateway, certificateHash, options, client.getKubernetesSerialization(), Set.of());
  }

  /**
   * The objects the provisioner creates for a Gateway (ServiceAccount, ConfigMap, Deployment, Service), with a plaintext
   * xDS connection: what {@code gloo conformance} checks {@code spec.infrastructure} propagation on without a cluster.
   */
  public static List<HasMetadata> rendered(Gateway gateway, Options options) {
    Desired d = desired(gateway, null, options, new KubernetesSerialization(), Set.of());
    return List.of(d.account(), d.config(), d.deployment(), d.service());
  }

  /**
   * {@code spec.infrastructure.labels} and {@code .annotations} of a Gateway (GEP-1867): put on every object the
   * provisioner creates and on the proxy's pods. Our own labels win over a same-named infrastructure label, since the
   * selectors depend on them.
   */
  private static Map<String, String> infrastructure(Gateway gateway, boolean annotations) {
    var infra = gateway.getSpec() == null ? null : gateway.getSpec().getInfrastructure();
    Map<String, String> values = infra == null ? null : annotations ? infra.getAnnotations() : infra.getLabels();
    return values == null ? Map.of() : new java.util.TreeMap<>(values);
  }

  /** {@code listenerSetPorts}: the ports of the listeners of the ListenerSets the Gateway allows. */
  private static Desired desired(Gateway gateway, String certificateHash, Options options,
      KubernetesSerialization json, Set<Integer> listenerSetPorts) {
    String ns = gateway.getMetadata().getNamespace();
    String gatewayName = gateway.getMetadata().getName();
    String name = proxyName(gatewayName);
    Map<String, String> selector = selector(gatewayName);
    Map<String, String> labels = new LinkedHashMap<>(infrastructure(gateway, false));
    labels.putAll(labels(gatewayName));
    Map<String, String> annotations = infrastructure(gateway, true);
    OwnerReference owner = owner(gateway);

    TreeSet<Integer> ports = new TreeSet<>();
    if (gateway.getSpec().getListeners() != null) {
      for (Listener l : gateway.getSpec().getListeners()) {
        // A listener port outside 1-65535 is not served (the translator reports it PortUnavailable); in the
        // Service or Deployment the API server would refuse the whole object.
        if (l.getPort() != null && l.getPort() >= 1 && l.getPort() <= 65535) {
          ports.add(l.getPort());
        }
      }
    }
    ports.addAll(listenerSetPorts);

    ServiceAccount account = new ServiceAccountBuilder().withMetadata(meta(name, ns, labels, annotations, owner))
        .build();

    String bootstrap = certificateHash == null
        ? BootstrapGenerator.provisionedYaml(ResourceKey.of(gateway), options.xdsAddress())
        : BootstrapGenerator.provisionedYaml(ResourceKey.of(gateway), options.xdsAddress(),
            BootstrapTls.files(java.nio.file.Path.of(ProxyCertificates.MOUNT_PATH)));
    String bootstrapHash = sha256(bootstrap).substring(0, 16);
    ConfigMap config = new ConfigMapBuilder().withMetadata(meta(name, ns, labels, annotations, owner))
        .withData(Map.of(BOOTSTRAP_KEY, bootstrap)).build();

    List<ContainerPort> containerPorts = new ArrayList<>();
    List<ServicePort> servicePorts = new ArrayList<>();
    for (int port : ports) {
      containerPorts.add(new ContainerPortBuilder().withName(portName(port)).withContainerPort(port)
          .withProtocol("TCP").build());
      servicePorts.add(new ServicePortBuilder().withName(portName(port)).withPort(port).withProtocol("TCP")
          .withTargetPort(new IntOrString(port)).build());
    }
    containerPorts.add(new ContainerPortBuilder().withName("readiness")
        .withContainerPort(BootstrapGenerator.READINESS_PORT).withProtocol("TCP").build());

    Map<String, String> podAnnotations = new LinkedHashMap<>(annotations);
    podAnnotations.putAll(podAnnotations(bootstrapHash, certificateHash));
    Deployment deployment = new DeploymentBuilder()
        .withMetadata(meta(name, ns, labels, annotations, owner))
        .withNewSpec()
          .withReplicas(1)
          .withNewSelector().withMatchLabels(selector).endSelector()
          .withNewTemplate()
            .withNewMetadata()
              .withLabels(labels)
              .withAnnotations(podAnnotations)
            .endMetadata()
            .withNewSpec()
              .withServiceAccountName(name)
              .withSecurityContext(podSecurity(ports, certificateHash != null))
              .addNewContainer()
                .withName(CONTAINER_NAME)
                .withImage(options.envoyImage())
                .withArgs("-c", "/etc/envoy/" + BOOTSTRAP_KEY, "--service-node", "$(POD_NAME)",
                    "--log-level", "info")
                .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef()
                  .withFieldPath("metadata.name").endFieldRef().endValueFrom().endEnv()
                .withPorts(containerPorts)
                .withNewReadinessProbe()
                  .withNewHttpGet()
                    .withPath(BootstrapGenerator.READINESS_PATH)
                    .withPort(new IntOrString(BootstrapGenerator.READINESS_PORT))
                  .endHttpGet()
                  .withPeriodSeconds(5)
                  .withFailureThreshold(3)
                .endReadinessProbe()
                .withNewSecurityContext()
                  .withAllowPrivilegeEscalation(false)
                  .withReadOnlyRootFilesystem(true)
                  .withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext()
                .addNewVolumeMount().withName("bootstrap").withMountPath("/etc/envoy").withReadOnly(true)
                  .endVolumeMount()
              .endContainer()
              .addNewVolume().withName("bootstrap").withNewConfigMap().withName(name).endConfigMap().endVolume()
            .endSpec()
          .endTemplate()
        .endSpec()
        .build();
    if (certificateHash != null) {
      mountCertificate(deployment, ProxyCertificates.secretName(gatewayName));
    }
    String specHash = sha256(json.asJson(deployment.getSpec())).substring(0, 16);
    deployment.getMetadata().getAnnotations().put(SPEC_HASH_ANNOTATION, specHash);

    Service service = new ServiceBuilder()
        .withMetadata(meta(name, ns, labels, annotations, owner))
        .withNewSpec()
          .withType(options.serviceType())
          .withSelector(selector)
          .withPorts(servicePorts)
        .endSpec()
        .build();

    // infrastructure labels and annotations are in the objects' metadata, outside the specs: they count too
    String fingerprint = sha256(String.join("\n", String.valueOf(gateway.getMetadata().getUid()), specHash,
        bootstrapHash, json.asJson(service.getSpec()), labels.toString(), annotations.toString()));
    return new Desired(account, config, deployment, service, fingerprint);
  }

  /**
   * Envoy runs as a non-root user (so the image's entrypoint does not switch users, which needs capabilities we drop);
   * listeners on ports below 1024 are allowed by the namespaced, safe sysctl {@code ip_unprivileged_port_start}.
   */
  private static PodSecurityContext podSecurity(TreeSet<Integer> ports, boolean certificate) {
    PodSecurityContextBuilder b = new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(PROXY_UID)
        .withRunAsGroup(PROXY_UID)
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile();
    if (certificate) {
      b.withFsGroup(PROXY_UID); // the certificate Secret's files (0440) belong to the proxy's group
    }
    if (!ports.isEmpty() && ports.first() < 1024) {
      b.addNewSysctl().withName("net.ipv4.ip_unprivileged_port_start").withValue("0").endSysctl();
    }
    return b.build();
  }

  private static Map<String, String> podAnnotations(String bootstrapHash, String certificateHash) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(BOOTSTRAP_HASH_ANNOTATION, bootstrapHash);
    if (certificateHash != null) {
      // Envoy reads the bootstrap's certificate files once: a renewed certificate rolls the proxies.
      annotations.put(ProxyCertificates.CERT_HASH_ANNOTATION, certificateHash);
    }
    return annotations;
  }

  /** The xDS client certificate Secret, read-only at {@value ProxyCertificates#MOUNT_PATH}, files 0440. */
  private static void mountCertificate(Deployment deployment, String secretName) {
    var pod = deployment.getSpec().getTemplate().getSpec();
    pod.getContainers().get(0).getVolumeMounts().add(new io.fabric8.kubernetes.api.model.VolumeMountBuilder()
        .withName("xds-tls").withMountPath(ProxyCertificates.MOUNT_PATH).withReadOnly(true).build());
    pod.getVolumes().add(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("xds-tls")
        .withNewSecret().withSecretName(secretName).withDefaultMode(0440).endSecret().build());
  }

  private static ObjectMeta meta(String name, String ns, Map<String, String> labels, Map<String, String> annotations,
      OwnerReference owner) {
    return new ObjectMetaBuilder().withName(name).withNamespace(ns).withLabels(new LinkedHashMap<>(labels))
        .withAnnotations(new LinkedHashMap<>(annotations)).withOwnerReferences(owner).build();
  }

  static String portName(int port) {
    return "port-" + port;
  }

  private static String sha256(String text) {
    return Hashing.sha256().hashString(text, StandardCharsets.UTF_8).toString();
  }

  // ---- applying

  private void apply(Desired d) {
    applyMeta(client.serviceAccounts(), d.account(), existing -> false);
    applyMeta(client.configMaps(), d.config(), existing -> {
      if (Objects.equals(existing.getData(), d.config().getData())) {
        return false;
      }
      existing.setData(d.config().getData());
      return true;
    });
    applyMeta(client.apps().deployments(), d.deployment(), existing -> {
      String want = d.deployment().getMetadata().getAnnotations().get(SPEC_HASH_ANNOTATION);
      Map<String, String> annotations = existing.getMetadata().getAnnotations() == null ? new HashMap<>()
          : new HashMap<>(existing.getMetadata().getAnnotations());
      if (want.equals(annotations.get(SPEC_HASH_ANNOTATION))) {
        return false;
      }
      annotations.put(SPEC_HASH_ANNOTATION, want);
      existing.getMetadata().setAnnotations(annotations);
      // The replica count is left to whoever scales the proxies; the selector is the same (it is immutable).
      Integer replicas = existing.getSpec() == null ? null : existing.getSpec().getReplicas();
      existing.setSpec(d.deployment().getSpec());
      existing.getSpec().setReplicas(replicas);
      return true;
    });
    applyMeta(client.services(), d.service(), existing -> {
      var want = d.service().getSpec();
      var have = existing.getSpec();
      if (Objects.equals(want.getType(), have.getType()) && Objects.equals(want.getSelector(), have.getSelector())
          && portsOf(have.getPorts()).equals(portsOf(want.getPorts()))) {
        return false;
      }
      // Keep what the API server allocated (clusterIP, node ports of ports that stay).
      Map<Integer, Integer> nodePorts = new HashMap<>();
      if (have.getPorts() != null) {
        for (ServicePort p : have.getPorts()) {
          if (p.getNodePort() != null) {
            nodePorts.put(p.getPort(), p.getNodePort());
          }
        }
      }
      List<ServicePort> ports = new ArrayList<>();
      for (ServicePort p : want.getPorts()) {
        ServicePort copy = new ServicePortBuilder(p).build();
        if (!"ClusterIP".equals(want.getType())) {
          copy.setNodePort(nodePorts.get(p.getPort()));
        }
        ports.add(copy);
      }
      have.setType(want.getType());
      have.setSelector(want.getSelector());
      have.setPorts(ports);
      return true;
    });
  }

  private static List<String> portsOf(List<ServicePort> ports) {
    List<String> result = new ArrayList<>();
    if (ports != null) {
      for (ServicePort p : ports) {
        result.add(p.getName() + " " + p.getPort() + " " + p.getProtocol() + " " + p.getTargetPort());
      }
    }
    result.sort(null);
    return result;
  }

  private interface Merge<T> {
    /** Changes {@code existing} toward what we want; answers whether it changed. */
    boolean merge(T existing);
  }

  /** Creates the object, or updates it when its labels, owner references or content (per {@code merge}) differ. */
  private <T extends HasMetadata> void applyMeta(MixedOperation<T, ?, ? extends Resource<T>> op, T desired,
      Merge<T> merge) {
    String ns = desired.getMetadata().getNamespace();
    String name = desired.getMetadata().getName();
    T existing = op.inNamespace(ns).withName(name).get();
    if (existing == null) {
      write();
      op.inNamespace(ns).resource(desired).create();
      writes.incrementAndGet();
      LOG.info("created {} {}/{}", desired.getKind(), ns, name);
      return;
    }
    boolean changed = merge.merge(existing);
    ObjectMeta meta = existing.getMetadata();
    Map<String, String> labels = meta.getLabels() == null ? new LinkedHashMap<>()
        : new LinkedHashMap<>(meta.getLabels());
    if (!labels.entrySet().containsAll(desired.getMetadata().getLabels().entrySet())) {
      labels.putAll(desired.getMetadata().getLabels());
      meta.setLabels(labels);
      changed = true;
    }
    // spec.infrastructure.annotations are added like the labels (others' annotations on the object are kept)
    Map<String, String> wantedAnnotations = desired.getMetadata().getAnnotations() == null ? Map.of()
        : desired.getMetadata().getAnnotations();
    Map<String, String> annotations = meta.getAnnotations() == null ? new LinkedHashMap<>()
        : new LinkedHashMap<>(meta.getAnnotations());
    if (!annotations.entrySet().containsAll(wantedAnnotations.entrySet())) {
      annotations.putAll(wantedAnnotations);
      meta.setAnnotations(annotations);
      changed = true;
    }
    if (!Objects.equals(meta.getOwnerReferences(), desired.getMetadata().getOwnerReferences())) {
      meta.setOwnerReferences(desired.getMetadata().getOwnerReferences());
      changed = true;
    }
    if (!changed) {
      return;
    }
    write();
    op.inNamespace(ns).resource(existing).update(); // a conflict throws: the next pass starts from a fresh read
    writes.incrementAndGet();
    LOG.info("updated {} {}/{}", desired.getKind(), ns, name);
  }

  /** Waits for the rate limiter; throws if leadership was lost meanwhile (nothing is written then). */
  private void write() {
    limiter.acquire();
    if (!leader.get()) {
      throw new IllegalStateException("no longer the leader");
    }
  }

  /** Deletes the objects we provisioned for Gateways that are no longer of our class (or are gone). */
  private void deleteOrphans(Set<ResourceKey> ourKeys) {
    deleteOrphans(client.apps().deployments(), ourKeys);
    deleteOrphans(client.services(), ourKeys);
    deleteOrphans(client.configMaps(), ourKeys);
    deleteOrphans(client.serviceAccounts(), ourKeys);
    if (certificates != null) {
      deleteOrphans(client.secrets(), ourKeys);
    }
  }

  private <T extends HasMetadata, L extends KubernetesResourceList<T>> void deleteOrphans(
      MixedOperation<T, L, ? extends Resource<T>> op,
      Set<ResourceKey> ourKeys) {
    List<T> found = new ArrayList<>();
    if (watchNamespaces.isEmpty()) {
      found.addAll(op.inAnyNamespace().withLabel(MANAGED_BY_LABEL, MANAGED_BY).withLabel(GATEWAY_NAME_LABEL)
          .list().getItems());
    } else {
      for (String ns : watchNamespaces) {
        found.addAll(op.inNamespace(ns).withLabel(MANAGED_BY_LABEL, MANAGED_BY).withLabel(GATEWAY_NAME_LABEL)
            .list().getItems());
      }
    }
    for (T object : found) {
      String gateway = object.getMetadata().getLabels().get(GATEWAY_NAME_LABEL);
      String ns = object.getMetadata().getNamespace();
      String name = object.getMetadata().getName();
      if (ourKeys.contains(new ResourceKey("Gateway", ns, gateway))
          || !(proxyName(gateway).equals(name) || ProxyCertificates.secretName(gateway).equals(name))) {
        continue;
      }
      write();
      try {
        op.inNamespace(ns).withName(object.getMetadata().getName()).delete();
        writes.incrementAndGet();
        LOG.info("deleted {} {}/{}: Gateway {} is not of our class", object.getKind(), ns,
            object.getMetadata().getName(), gateway);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e;
        }
      }
    }
  }

  @Override
  public void close() {
    leader.set(false);
    retries.shutdownNow();
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
