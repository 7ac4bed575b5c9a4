package io.gloo.core.report;

import com.google.common.util.concurrent.RateLimiter;
import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.gatewayapi.GatewayApi;
import io.gloo.core.watch.KindRegistry;
import io.gloo.core.watch.KubernetesSource;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes the {@link Reporter}'s statuses back to the objects in the API server, through the status subresource.
 *
 * <p>The reporter says which keys changed; they go into a coalescing queue (a key queued twice is written once, with
 * the status current when its turn comes) drained by one writer thread, {@value #THREAD_NAME}, at most
 * {@code writesPerSecond} writes per second. For each key the writer takes the object from the informer cache (the
 * latest known), and writes only if the status differs from the one the object has; on a 409 conflict it re-reads
 * the object and tries again. Objects that no longer exist are skipped. Gateway API kinds get their typed status;
 * policy kinds ({@link GenericKubernetesResource}) get the Gloo-shape map. A route's {@code status.parents} entries
 * written by other controllers are kept.
 *
 * <p>Only the leader writes: {@link #setLeader} turns writing on (and queues every current status, since statuses
 * may have changed while another replica led) or off; the flag is checked before every write.
 */
@ThreadSafe
public final class KubernetesStatusWriter implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesStatusWriter.class);
  static final String THREAD_NAME = "gloo-status-writer";
  public static final double DEFAULT_WRITES_PER_SECOND = 20;
  private static final int MAX_ATTEMPTS = 5;
  private static final long RETRY_MILLIS = 1_000;

  private final KubernetesClient client;
  private final KubernetesSerialization serialization;
  private final Reporter reporter;
  private final Function<ResourceKey, Optional<HasMetadata>> cache;
  private final KindRegistry kinds;
  private final RateLimiter limiter;
  private final AtomicBoolean leader = new AtomicBoolean();
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong conflicts = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  private final Object lock = new Object();
  @GuardedBy("lock")
  private final LinkedHashSet<ResourceKey> pending = new LinkedHashSet<>();
  @GuardedBy("lock")
  private boolean closed;
  @GuardedBy("lock")
  private boolean busy;
  private final Thread thread;
  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, THREAD_NAME + "-retry");
    t.setDaemon(true);
    return t;
  });

  /**
   * @param cache the latest known object for a key (e.g. {@link KubernetesSource#cached}); empty if it is gone
   * @param kinds to find the API path of plugin (generic) kinds
   */
  public KubernetesStatusWriter(KubernetesClient client, Reporter reporter,
      Function<ResourceKey, Optional<HasMetadata>> cache, KindRegistry kinds, double writesPerSecond) {
    this.client = Objects.requireNonNull(client, "client");
    this.serialization = client.getKubernetesSerialization();
    this.reporter = Objects.requireNonNull(reporter, "reporter");
    this.cache = Objects.requireNonNull(cache, "cache");
    this.kinds = Objects.requireNonNull(kinds, "kinds");
    this.limiter = RateLimiter.create(writesPerSecond);
    this.thread = new Thread(this::run, THREAD_NAME);
    this.thread.setDaemon(true);
    reporter.onChange(this::enqueue);
    thread.start();
  }

  /** Becoming leader queues every current status; losing it stops writing before the next write. */
  public void setLeader(boolean isLeader) {
    boolean was = leader.getAndSet(isLeader);
    if (isLeader && !was) {
      enqueue(reporter.statuses().keySet());
    } else if (!isLeader) {
      synchronized (lock) {
        pending.clear();
      }
    }
  }

  public boolean isLeader() {
    return leader.get();
  }

  /** Status writes that reached the API server (successfully). */
  public long writes() {
    return writes.get();
  }

  public long conflicts() {
    return conflicts.get();
  }

  public long failures() {
    return failures.get();
  }

  /** Whether the queue is empty and no write is in progress (for tests and shutdown). */
  public boolean idle() {
    synchronized (lock) {
      return pending.isEmpty() && !busy;
    }
  }

  private void enqueue(Set<ResourceKey> keys) {
    if (!leader.get()) {
      return; // becoming leader queues everything
    }
    synchronized (lock) {
      pending.addAll(keys);
      lock.notifyAll();
    }
  }

  private void run() {
    while (true) {
      ResourceKey key;
      synchronized (lock) {
        busy = false;
        while (pending.isEmpty() && !closed) {
          try {
            lock.wait(1_000);
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
        Iterator<ResourceKey> it = pending.iterator();
        key = it.next();
        it.remove();
        busy = true;
      }
      if (!leader.get()) {
        continue;
      }
      try {
        write(key);
      } catch (RuntimeException e) {
        // The API server is unreachable or refused: try again later (with the status current then).
        failures.incrementAndGet();
        LOG.warn("writing the status of {} failed, retrying in {} ms: {}", key, RETRY_MILLIS, e.toString());
        try {
          retries.schedule(() -> enqueue(Set.of(key)), RETRY_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
          return;
        }
      }
    }
  }

  private void write(ResourceKey key) {
    Object status = reporter.statuses().get(key);
    if (status == null) {
      return; // no longer ours to report on
    }
    JsonNode desired = tree(status);
    HasMetadata object = cache.apply(key).orElse(null);
    for (int attempt = 0; attempt < MAX_ATTEMPTS && object != null; attempt++) {
      JsonNode existing = statusTree(object);
      JsonNode merged = keepOtherControllersParents(desired, existing);
      if (merged.equals(existing)) {
        return;
      }
      HasMetadata copy = withStatus(object, merged);
      if (!leader.get()) {
        return;
      }
      limiter.acquire();
      if (!leader.get()) {
        return;
      }
      try {
        resource(copy).updateStatus();
        writes.incrementAndGet();
        LOG.debug("wrote the status of {}", key);
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return; // deleted meanwhile
        }
        if (e.getCode() != 409) {
          throw e;
        }
        conflicts.incrementAndGet();
        object = resource(object).get(); // re-read; null if deleted
      }
    }
    if (object != null) {
      LOG.warn("gave up writing the status of {} after {} conflicts", key, MAX_ATTEMPTS);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Resource<HasMetadata> resource(HasMetadata object) {
    if (object instanceof GenericKubernetesResource generic) {
      KindRegistry.KindInfo info = kinds.lookup(generic.getApiVersion(), generic.getKind()).orElseThrow(
          () -> new IllegalStateException("kind not registered: " + generic.getApiVersion() + " " + generic.getKind()));
      var op = client.genericKubernetesResources(KubernetesSource.contextFor(info));
      Resource r = info.namespaced()
          ? op.inNamespace(generic.getMetadata().getNamespace()).resource(generic)
          : op.resource(generic);
      return r;
    }
    return (Resource) client.resource(object);
  }

  /** A status in its JSON form, with numbers as the API server would return them. */
  private JsonNode tree(Object status) {
    return serialization.unmarshal(serialization.asJson(status), JsonNode.class);
  }

  private JsonNode statusTree(HasMetadata object) {
    Object status;
    if (object instanceof GenericKubernetesResource generic) {
      status = generic.getAdditionalProperties().get("status");
    } else {
      try {
        status = object.getClass().getMethod("getStatus").invoke(object);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(object.getClass() + " has no status", e);
      }
    }
    return status == null ? serialization.unmarshal("null", JsonNode.class) : tree(status);
  }

  /** A copy of the object with this status. */
  private HasMetadata withStatus(HasMetadata object, JsonNode status) {
    HasMetadata copy = serialization.clone(object);
    if (copy instanceof GenericKubernetesResource generic) {
      generic.setAdditionalProperty("status", serialization.convertValue(status, Map.class));
      return copy;
    }
    for (Method m : copy.getClass().getMethods()) {
      if (m.getName().equals("setStatus") && m.getParameterCount() == 1) {
        try {
          m.invoke(copy, serialization.convertValue(status, m.getParameterTypes()[0]));
          return copy;
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    throw new IllegalStateException(copy.getClass() + " has no setStatus");
  }

  /**
   * Routes can be attached to Gateways of several controllers, each owning its entries of {@code status.parents};
   * ours replaces only our own. Policies (BackendTLSPolicy) likewise share {@code status.ancestors}.
   */
  static JsonNode keepOtherControllersParents(JsonNode desired, JsonNode existing) {
    JsonNode merged = keepOtherControllers(desired, existing, "parents", MAX_PARENTS);
    return keepOtherControllers(merged, existing, "ancestors", MAX_ANCESTORS);
  }

  /** {@code RouteStatus.Parents} and {@code PolicyStatus.Ancestors} MaxItems: the API server refuses longer lists. */
  static final int MAX_PARENTS = 32;
  static final int MAX_ANCESTORS = 16;

  /**
   * Our entries of {@code field} followed by the other controllers' entries of the existing status. Other
   * controllers' entries are never dropped; when the list would exceed {@code max}, ours are cut to fit (the spec:
   * a full list gets no further entries), keeping our first ones, which the translator orders by priority.
   */
  private static JsonNode keepOtherControllers(JsonNode desired, JsonNode existing, String field, int max) {
    if (!(desired instanceof ObjectNode d) || !(d.get(field) instanceof ArrayNode ours)) {
      return desired;
    }
    List<JsonNode> others = new ArrayList<>();
    if (existing != null && existing.get(field) instanceof ArrayNode theirs) {
      for (JsonNode parent : theirs) {
        JsonNode controller = parent.get("controllerName");
        if (controller != null && !GatewayApi.CONTROLLER_NAME.equals(controller.asString())) {
          others.add(parent);
        }
      }
    }
    if (others.isEmpty() && ours.size() <= max) {
      return desired;
    }
    ArrayNode merged = ours.arrayNode();
    for (int i = 0; i < ours.size() && i < Math.max(0, max - others.size()); i++) {
      merged.add(ours.get(i));
    }
    others.forEach(merged::add);
    ObjectNode result = d.deepCopy();
    result.set(field, merged);
    return result;
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
