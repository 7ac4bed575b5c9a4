package io.gloo.core.provision;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gloo.core.report.Reporter;
import io.gloo.core.server.ServeOptions;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.gatewayapi.GatewayApi;
import io.gloo.core.translate.gatewayapi.StaticAddresses;
import io.gloo.core.security.CertificateAuthority;
import io.gloo.core.xds.BootstrapGenerator;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
  private final ProxyObjectWriter objects;
  /** Null when proxies connect in plaintext. Only touched on the provisioner thread. */
  private final ProxyCertificates certificates;
  /** The wake-up for the next certificate renewal (only touched on the provisioner thread). */
  private java.util.concurrent.ScheduledFuture<?> renewalWakeUp;
  private final AtomicBoolean leader = new AtomicBoolean();
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
    this.objects = new ProxyObjectWriter(client, options.writesPerSecond(), leader, Set.copyOf(watchNamespaces));
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
    reporter.gatewayAddresses(GatewayAddresses.addresses(snapshot));
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
    return objects.writes();
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

  /** What a Gateway should have with a plaintext xDS connection. */
  ProxyObjects.Desired desired(Gateway gateway) {
    return ProxyObjects.desired(gateway, null, options, client.getKubernetesSerialization(), Set.of());
  }

  /**
   * The objects the provisioner creates for a Gateway (ServiceAccount, ConfigMap, Deployment, Service), with a plaintext
   * xDS connection: what {@code gloo conformance} checks {@code spec.infrastructure} propagation on without a cluster.
   */
  public static List<HasMetadata> rendered(Gateway gateway, Options options) {
    ProxyObjects.Desired d = ProxyObjects.desired(gateway, null, options, new KubernetesSerialization(), Set.of());
    return List.of(d.account(), d.config(), d.deployment(), d.service());
  }

  /**
   * The proxy Service the provisioner creates for a Gateway of {@code snapshot}, with its usable requested
   * addresses as {@code externalIPs}: what {@code gloo conformance} reads the Gateway's addresses from.
   */
  public static Service renderedService(Gateway gateway, Options options, ResourceSnapshot snapshot) {
    return ProxyObjects.desired(gateway, null, options, new KubernetesSerialization(), Set.of(),
        StaticAddresses.decide(gateway, snapshot.get(GatewayClass.class, null,
            gateway.getSpec().getGatewayClassName()).orElse(null), snapshot).usable()).service();
  }

  /** A Gateway's {@code status.addresses} as the provisioner reports them from its proxy Service. */
  public static List<io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress> addressesOf(
      Service service) {
    return GatewayAddresses.addressesOf(service);
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
    for (Gateway gateway : GatewayAddresses.ours(snapshot)) {
      ResourceKey key = ResourceKey.of(gateway);
      ourKeys.add(key);
      try {
        // Checked on every pass (cached until due): a renewal changes the pod template, hence the fingerprint.
        String certificateHash = certificates == null ? null
            : certificates.ensure(key, ProxyObjects.meta(ProxyCertificates.secretName(key.name()),
                key.namespace(), ProxyObjects.labels(key.name()), Map.of(), ProxyObjects.owner(gateway)),
                objects::write);
        ProxyObjects.Desired desired = ProxyObjects.desired(gateway, certificateHash, options,
            client.getKubernetesSerialization(), listenerSetPorts.getOrDefault(key, Set.of()),
            StaticAddresses.decide(gateway, snapshot.get(GatewayClass.class, null,
                gateway.getSpec().getGatewayClassName()).orElse(null), snapshot).usable());
        if (desired.fingerprint().equals(applied.get(key))) {
          continue;
        }
        objects.apply(desired);
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
        objects.deleteOrphans(ourKeys, certificates != null);
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
