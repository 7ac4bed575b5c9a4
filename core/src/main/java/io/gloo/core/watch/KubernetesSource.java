package io.gloo.core.watch;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.watch.KubeInformers.Watched;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the input resources from a Kubernetes API server through fabric8 informers: the Gateway API kinds the
 * translator reads (GatewayClass, Gateway, HTTPRoute, GRPCRoute, ReferenceGrant v1beta1), Service, EndpointSlice
 * (discovery v1), Secret, Namespace, and every {@link GenericKubernetesResource} kind plugins registered in the
 * {@link KindRegistry}.
 *
 * <p>Namespaced kinds are watched in every namespace, or only in {@code watchNamespaces} when that is not empty (one
 * informer per namespace); cluster-scoped kinds are always watched. Every informer event schedules a rebuild of the
 * {@link ResourceSnapshot} from the informer caches {@code debounce} later, on the one thread
 * {@value #THREAD_NAME}, which also calls the listener; a rebuild whose resources (by key, uid and resourceVersion)
 * did not change is not delivered.
 *
 * <p>Nothing is delivered before every informer has synced (listed once, and watching): an empty cache is not an
 * empty cluster.
 * When the API server becomes unreachable the caches keep their content, so the last snapshot keeps serving; the
 * informers reconnect and re-list on their own, and the differences arrive as events. {@link #notReadyReason()} says
 * whether every informer is watching.
 *
 * <p>Which kinds are watched and how their informers start: {@link KubeInformers}; what a rebuild changes:
 * {@link CachedChanges}.
 */
@ThreadSafe
public final class KubernetesSource implements ConfigSource {

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesSource.class);
  public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(50);
  static final String THREAD_NAME = "gloo-kube-source";

  private final KubernetesClient client;
  private final KindRegistry kinds;
  private final Set<String> watchNamespaces;
  private final Duration debounce;
  private final Duration syncTimeout;
  private final KubeInformers watches;

  private final Object lock = new Object();
  /** By kind: the built-ins, then plugin kinds keyed by {@code apiVersion kind}. */
  @GuardedBy("lock")
  private final Map<String, Watched> watched = new LinkedHashMap<>();
  @GuardedBy("lock")
  private Consumer<ResourceSnapshot> listener;
  @GuardedBy("lock")
  private boolean closed;

  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, THREAD_NAME);
    thread.setDaemon(true);
    return thread;
  });
  private final AtomicBoolean rebuildScheduled = new AtomicBoolean();
  private volatile ResourceSnapshot current = ResourceSnapshot.empty();
  private volatile java.util.function.LongConsumer parseTime = nanos -> { };
  private volatile boolean delivering;

  /**
   * @param watchNamespaces the namespaces to watch namespaced kinds in; empty for all
   * @param syncTimeout how long {@link #start} waits for the first list of every kind before failing
   */
  public KubernetesSource(KubernetesClient client, KindRegistry kinds, Set<String> watchNamespaces, Duration debounce,
      Duration syncTimeout) {
    this.client = Objects.requireNonNull(client, "client");
    this.kinds = Objects.requireNonNull(kinds, "kinds");
    this.watchNamespaces = Set.copyOf(watchNamespaces);
    this.debounce = Objects.requireNonNull(debounce, "debounce");
    this.syncTimeout = Objects.requireNonNull(syncTimeout, "syncTimeout");
    this.watches = new KubeInformers(client, this.watchNamespaces, this::changed);
  }

  /**
   * Starts the informers, waits until all of them have listed once, then hands the first snapshot to the listener
   * (on the source thread) before returning. Throws {@link IllegalStateException} if they do not sync within the
   * sync timeout (the source is closed then).
   */
  @Override
  public void timeParsing(java.util.function.LongConsumer nanos) {
    parseTime = Objects.requireNonNull(nanos, "nanos");
  }

  @Override
  public void start(Consumer<ResourceSnapshot> listener) {
    Objects.requireNonNull(listener, "listener");
    synchronized (lock) {
      if (this.listener != null || closed) {
        throw new IllegalStateException("KubernetesSource can be started once");
      }
      this.listener = listener;
      for (Class<? extends HasMetadata> type : KubeInformers.BUILTIN_TYPES) {
        if (KubeInformers.OPTIONAL_TYPES.contains(type) && !watches.served(type)) {
          LOG.warn("the API server does not serve {} {} (CRD not installed): not watched; restart after installing it",
              HasMetadata.getApiVersion(type), HasMetadata.getKind(type));
          continue;
        }
        watched.put(HasMetadata.getKind(type), watches.startTyped(type));
      }
      for (KindRegistry.KindInfo info : KubeInformers.pluginKinds(kinds)) {
        watched.put(KubeInformers.pluginKey(info), watches.startGeneric(info));
      }
    }
    try {
      awaitSynced(allInformers());
      executor.submit(() -> rebuild(true)).get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      close();
      throw new IllegalStateException("the Kubernetes informers did not sync within " + syncTimeout + ": "
          + notSynced(), e);
    } catch (ExecutionException e) {
      close();
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("interrupted while waiting for the informers to sync", e);
    }
    delivering = true;
    LOG.info("loaded {}", describe());
  }

  /**
   * Starts informers for plugin kinds registered since the last call and stops those of kinds unregistered, waits
   * (bounded by the sync timeout) for the new ones to list, then rebuilds and delivers a snapshot even if no resource
   * changed. Returns once delivered; false before {@link #start} or after {@link #close}.
   */
  public boolean refreshKinds() {
    List<SharedIndexInformer<? extends HasMetadata>> added = new ArrayList<>();
    synchronized (lock) {
      if (closed || listener == null) {
        return false;
      }
      Set<String> wanted = new LinkedHashSet<>();
      for (KindRegistry.KindInfo info : KubeInformers.pluginKinds(kinds)) {
        String key = KubeInformers.pluginKey(info);
        wanted.add(key);
        if (!watched.containsKey(key)) {
          Watched w = watches.startGeneric(info);
          watched.put(key, w);
          added.addAll(w.informers());
        }
      }
      watched.entrySet().removeIf(e -> {
        if (!e.getKey().contains(" ") || wanted.contains(e.getKey())) {
          return false; // built-ins are keyed by kind alone
        }
        e.getValue().informers().forEach(SharedIndexInformer::stop);
        return true;
      });
    }
    try {
      awaitSynced(added);
      executor.submit(() -> rebuild(true)).get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException | ExecutionException | RejectedExecutionException e) {
      LOG.error("re-reading after a change of plugin kinds failed", e);
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Where a plugin kind lives in the API, without discovery: the plural is the lower-cased kind, pluralized. */
  public static ResourceDefinitionContext contextFor(KindRegistry.KindInfo info) {
    return KubeInformers.contextFor(info);
  }

  @Override
  public ResourceSnapshot current() {
    return current;
  }

  /**
   * The object as the informer cache has it now (possibly newer than {@link #current()}), or empty if it does not
   * exist (or its kind is not watched). The instance is the cache's: copy it before changing it.
   */
  public Optional<HasMetadata> cached(ResourceKey key) {
    List<SharedIndexInformer<? extends HasMetadata>> informers;
    synchronized (lock) {
      Watched w = key.kind().equals(ResourceKey.EDGE_GATEWAY_KIND)
          ? watched.get("gateway.solo.io/v1 Gateway") // a Gloo Edge Gateway: keyed apart from the Gateway API's
          : watched.get(key.kind());
      if (w == null) {
        w = watched.values().stream().filter(x -> x.kind().equals(key.kind())).findFirst().orElse(null);
      }
      if (w == null) {
        return Optional.empty();
      }
      informers = w.informers();
    }
    String storeKey = key.namespace() == null ? key.name() : key.namespace() + "/" + key.name();
    for (SharedIndexInformer<? extends HasMetadata> informer : informers) {
      HasMetadata found = informer.getStore().getByKey(storeKey);
      if (found != null) {
        return Optional.of(found);
      }
    }
    return Optional.empty();
  }

  @Override
  public String describe() {
    String scope = watchNamespaces.isEmpty() ? "all namespaces" : "namespaces " + String.join(",",
        new java.util.TreeSet<>(watchNamespaces));
    int kindCount;
    synchronized (lock) {
      kindCount = watched.size();
    }
    return "kubernetes " + client.getMasterUrl() + " (" + scope + ", " + kindCount + " kinds, " + current.size()
        + " resources" + (notReadyReason() == null ? "" : ", " + notReadyReason()) + ")";
  }

  /**
   * Null when every informer has synced and is watching; otherwise why not (not yet synced, or disconnected from
   * the API server, in which case the last snapshot keeps serving).
   */
  @Override
  public String notReadyReason() {
    List<SharedIndexInformer<? extends HasMetadata>> informers = allInformers();
    if (!delivering) {
      return "waiting for the informers to sync";
    }
    List<String> disconnected = new ArrayList<>();
    synchronized (lock) {
      for (Watched w : watched.values()) {
        if (w.informers().stream().anyMatch(i -> !i.isWatching())) {
          disconnected.add(w.kind());
        }
      }
    }
    if (informers.isEmpty() || disconnected.isEmpty()) {
      return null;
    }
    return "disconnected from the API server (not watching " + String.join(", ", disconnected)
        + "); serving the last snapshot";
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      for (Watched w : watched.values()) {
        w.informers().forEach(SharedIndexInformer::stop);
      }
    }
    executor.shutdownNow();
    if (!Thread.currentThread().getName().equals(THREAD_NAME)) {
      try {
        executor.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private List<SharedIndexInformer<? extends HasMetadata>> allInformers() {
    synchronized (lock) {
      List<SharedIndexInformer<? extends HasMetadata>> all = new ArrayList<>();
      watched.values().forEach(w -> all.addAll(w.informers()));
      return all;
    }
  }

  private void awaitSynced(List<SharedIndexInformer<? extends HasMetadata>> informers) throws TimeoutException,
      InterruptedException {
    long deadline = System.nanoTime() + syncTimeout.toNanos();
    long nextLog = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    // Listed once, and the watch that follows the list is open (else readiness would flap right after start).
    while (!informers.stream().allMatch(i -> i.hasSynced() && i.isWatching())) {
      synchronized (lock) {
        if (closed) {
          throw new IllegalStateException("closed while waiting for the informers to sync");
        }
      }
      long now = System.nanoTime();
      if (now - deadline >= 0) {
        throw new TimeoutException();
      }
      if (now - nextLog >= 0) {
        LOG.info("waiting for the informers to sync: {}", notSynced());
        nextLog = now + TimeUnit.SECONDS.toNanos(10);
      }
      Thread.sleep(20);
    }
  }

  private String notSynced() {
    List<String> pending = new ArrayList<>();
    synchronized (lock) {
      for (Watched w : watched.values()) {
        if (w.informers().stream().anyMatch(i -> !i.hasSynced() || !i.isWatching())) {
          pending.add(w.kind());
        }
      }
    }
    return pending.isEmpty() ? "all synced" : "not synced: " + String.join(", ", pending);
  }

  /** An informer event: rebuild {@link #debounce} from now, unless a rebuild is already pending. */
  private void changed() {
    if (!delivering || !rebuildScheduled.compareAndSet(false, true)) {
      return; // before the first delivery, start() builds from the synced caches itself
    }
    try {
      executor.schedule(() -> {
        rebuildScheduled.set(false);
        rebuild(false);
      }, debounce.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      rebuildScheduled.set(false); // closed
    }
  }

  /**
   * On the source thread: brings the snapshot in line with the caches and delivers it if anything changed (or
   * forced). Only what changed is put into the new snapshot ({@link CachedChanges}).
   */
  private void rebuild(boolean force) {
    long start = System.nanoTime();
    Consumer<ResourceSnapshot> notify;
    List<HasMetadata> resources = new ArrayList<>();
    synchronized (lock) {
      if (closed) {
        return;
      }
      notify = listener;
      for (Watched w : watched.values()) {
        for (SharedIndexInformer<? extends HasMetadata> informer : w.informers()) {
          resources.addAll(informer.getStore().list());
        }
      }
    }
    ResourceSnapshot previous = current;
    Map<ResourceKey, HasMetadata> changes = CachedChanges.since(previous, resources);
    if (!force && changes.isEmpty()) {
      return;
    }
    ResourceSnapshot snapshot = previous.withChanges(changes, List.of());
    current = snapshot;
    parseTime.accept(System.nanoTime() - start);
    LOG.debug("snapshot of {} resources ({} changed)", snapshot.size(), changes.size());
    try {
      notify.accept(snapshot);
    } catch (RuntimeException | LinkageError | AssertionError e) {
      if (force && !delivering) {
        throw e; // the first delivery: start() fails
      }
      LOG.error("config listener failed on a snapshot from the API server; still watching", e);
    }
  }

}
