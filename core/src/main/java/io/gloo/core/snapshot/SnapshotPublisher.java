package io.gloo.core.snapshot;

import com.google.common.io.BaseEncoding;
import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.gloo.core.store.Instances;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.validate.Finding;
import io.gloo.core.validate.ProtoConstraintValidator;
import io.gloo.core.validate.SnapshotValidator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the translator's per-Gateway {@link XdsResources} into java-control-plane v3 snapshots in a
 * {@link SimpleCache} keyed by node group ({@link ProxyNodes}), which the xDS server serves from.
 *
 * <p>Versions: each xDS type gets its own version, the first 16 hex characters of the SHA-256 of the deterministic
 * protobuf serialization of that type's resources sorted by name (for route configurations, of each one's fields
 * other than its virtual hosts and the SHA-256 of each virtual host's serialization, see
 * {@link RouteConfigurationDigests}). Equal content therefore always has an equal version, across restarts and
 * control-plane replicas, and a change to routes does not make Envoy re-apply clusters.
 *
 * <p>Per Gateway, {@link #publish} does one of:
 * <ul>
 *   <li><b>published</b>: the resources are consistent and at least one version changed; the snapshot is set and
 *       listeners are told.</li>
 *   <li><b>unchanged</b>: all versions equal the ones being served; nothing is set, so no proxy receives anything.</li>
 *   <li><b>inconsistent</b>: a referenced RDS route or EDS assignment is missing (see {@code SnapshotConsistency}
 *       for why this is checked here rather than only by {@code Snapshot#ensureConsistent()}); nothing is set, the
 *       last good snapshot keeps being served and the problem is available from {@link #error(ResourceKey)} until
 *       a later publish of that Gateway succeeds.</li>
 *   <li><b>invalid</b>: consistent, but {@link SnapshotValidator} found something Envoy would reject (a proto
 *       constraint, a missing cluster, an invalid regex, ...); handled like inconsistent, and the error's problems
 *       name the source resource of each finding.</li>
 * </ul>
 * A Gateway that was published before but is absent from a later {@link #publish} map gets an <em>empty</em>
 * snapshot (so its proxies drop listeners and clusters rather than keep serving stale routes) and stays in the cache,
 * because proxies of a deleted Gateway may still be connected and, with ADS, a group without a snapshot would leave
 * them on their last config. It is reported by {@link #current()} with {@code removed = true}; if it comes back it is
 * published normally. A Gateway whose first publish is inconsistent has no snapshot: its proxies wait.
 *
 * <p>Metrics: {@code gloo_snapshot_publish_total{gateway, result=published|unchanged|inconsistent|invalid}} (removals count
 * as published), {@code gloo_snapshot_rejected_total{gateway}} (inconsistent or invalid: the last line of defence,
 * see {@link PublishCheck}; the translator repairs invalid elements itself) and the gauge
 * {@code gloo_snapshot_gateways} (Gateways served, removed ones excluded).
 *
 * <p>Thread safety: publishes are serialized; {@link #current()} and {@link #error} read immutable copies and never
 * block on a publish. Listeners run on the publishing thread, in publish order, after the cache was updated.
 */
@ThreadSafe
public final class SnapshotPublisher {

  /** Outcome of one Gateway in one {@link #publish}. */
  public enum Result {
    PUBLISHED, UNCHANGED, INCONSISTENT, INVALID, REMOVED
  }

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);
  private static final int VERSION_HEX_CHARS = 16;
  private static final int HASH_BUFFER_BYTES = 64 * 1024;
  private static final Comparator<Message> BY_NAME = Comparator.comparing(Resources::getResourceName);

  private final SimpleCache<String> cache = new SimpleCache<>(ProxyNodes.NODE_GROUP);
  private final MeterRegistry registry;
  private final Clock clock;
  private final SnapshotValidator validator;
  private final Object publishLock = new Object();
  private final List<Consumer<PublishedSnapshot>> listeners = new CopyOnWriteArrayList<>();

  /** Served snapshots, including removed (empty) ones. Immutable; replaced under {@link #publishLock}. */
  @GuardedBy("publishLock")
  private volatile Map<ResourceKey, PublishedSnapshot> published = Map.of();

  /** Latest consistency error per Gateway. Immutable; replaced under {@link #publishLock}. */
  @GuardedBy("publishLock")
  private volatile Map<ResourceKey, SnapshotError> errors = Map.of();

  public SnapshotPublisher(MeterRegistry registry) {
    this(registry, Clock.systemUTC());
  }

  public SnapshotPublisher(MeterRegistry registry, Clock clock) {
    this(registry, clock, new SnapshotValidator(new ProtoConstraintValidator().withMemo()));
  }

  /** The validator of the last check before publishing (thread-safe; its memo is shared with whoever uses it). */
  public SnapshotValidator validator() {
    return validator;
  }

  /** With a validator that knows more Any-packed types than core's (e.g. those of plugins). */
  public SnapshotPublisher(MeterRegistry registry, Clock clock, SnapshotValidator validator) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.validator = Objects.requireNonNull(validator, "validator");
    Gauge.builder("gloo.snapshot.gateways", this, p -> p.published.values().stream().filter(s -> !s.removed()).count())
        .description("Gateways whose configuration is being served over xDS")
        .register(registry);
  }

  /** The cache for the xDS server ({@code V3DiscoveryServer}). */
  public ConfigWatcher configWatcher() {
    return cache;
  }

  /** The underlying cache, e.g. for {@code statusInfo} in the admin API. */
  public SimpleCache<String> cache() {
    return cache;
  }

  /**
   * Publishes the resources of every Gateway; Gateways published before and absent now get an empty snapshot.
   *
   * @param gateways Gateway ({@code kind = Gateway}, namespaced) to its resources
   * @return what happened to each Gateway of the map and to each removed one
   */
  public Map<ResourceKey, Result> publish(Map<ResourceKey, XdsResources> gateways) {
    Map<ResourceKey, Result> results = new TreeMap<>();
    synchronized (publishLock) {
      validator.constraints().nextRound(); // unchanged virtual hosts and clusters keep last round's results
      Map<ResourceKey, PublishedSnapshot> nowPublished = new HashMap<>(published);
      Map<ResourceKey, SnapshotError> nowErrors = new HashMap<>(errors);
      List<PublishedSnapshot> toNotify = new ArrayList<>();

      for (Map.Entry<ResourceKey, XdsResources> entry : new TreeMap<>(gateways).entrySet()) {
        ResourceKey gateway = entry.getKey();
        String group = ProxyNodes.groupOf(gateway);
        XdsResources resources = entry.getValue();
        PublishCheck.Verdict verdict = PublishCheck.check(resources, validator);
        if (!verdict.publishable()) {
          String what = verdict.result() == Result.INCONSISTENT ? "inconsistent" : "invalid";
          LOG.warn("not publishing {} snapshot of {}; proxies keep the last good one: {}", what, gateway,
              String.join("; ", verdict.problems()));
          nowErrors.put(gateway, new SnapshotError(gateway, verdict.problems(), verdict.findings(), clock.instant()));
          count(gateway, what);
          rejected(gateway);
          results.put(gateway, verdict.result());
          continue;
        }
        nowErrors.remove(gateway);
        PublishedSnapshot current = nowPublished.get(gateway);
        Map<String, String> versions = versions(resources, routeDigests, versionsByGateway.get(gateway));
        versionsByGateway.put(gateway, new HashedTypes(resources, versions));
        if (current != null && !current.removed() && current.versions().equals(versions)) {
          count(gateway, "unchanged");
          results.put(gateway, Result.UNCHANGED);
          continue;
        }
        PublishedSnapshot next = set(gateway, group, resources, versions, false);
        nowPublished.put(gateway, next);
        toNotify.add(next);
        count(gateway, "published");
        results.put(gateway, Result.PUBLISHED);
      }

      for (PublishedSnapshot previous : published.values()) {
        ResourceKey gateway = previous.gateway();
        if (gateways.containsKey(gateway) || previous.removed()) {
          continue;
        }
        XdsResources empty = XdsResources.empty();
        PublishedSnapshot next = set(gateway, previous.group(), empty, versions(empty, routeDigests, null), true);
        versionsByGateway.remove(gateway);
        nowPublished.put(gateway, next);
        nowErrors.remove(gateway);
        toNotify.add(next);
        count(gateway, "published");
        results.put(gateway, Result.REMOVED);
      }
      // A Gateway that only ever failed and then disappeared leaves no error behind.
      nowErrors.keySet().retainAll(gateways.keySet());

      routeDigests.finish();
      published = Collections.unmodifiableMap(nowPublished);
      errors = Collections.unmodifiableMap(nowErrors);
      for (PublishedSnapshot snapshot : toNotify) {
        notifyListeners(snapshot);
      }
    }
    return Collections.unmodifiableMap(results);
  }

  /** What is served now, per Gateway (removed Gateways included, with empty resources). */
  public Map<ResourceKey, PublishedSnapshot> current() {
    return Collections.unmodifiableMap(new TreeMap<>(published));
  }

  /** What is served now for one Gateway. */
  public Optional<PublishedSnapshot> current(ResourceKey gateway) {
    return Optional.ofNullable(published.get(gateway));
  }

  /** Why the latest resources of {@code gateway} were not published, if they were not. */
  public Optional<SnapshotError> error(ResourceKey gateway) {
    return Optional.ofNullable(errors.get(gateway));
  }

  /** All current errors, per Gateway. */
  public Map<ResourceKey, SnapshotError> errors() {
    return Collections.unmodifiableMap(new TreeMap<>(errors));
  }

  /**
   * Calls {@code listener} after every snapshot set in the cache (published or removed), on the publishing thread.
   * A listener must not block; exceptions are logged and ignored.
   */
  public Subscription onPublished(Consumer<PublishedSnapshot> listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * The per-type versions of {@code resources}: xDS type URL to the first 16 hex digits of the SHA-256 over the
   * deterministic serialization of that type's resources sorted by name (route configurations: see
   * {@link RouteConfigurationDigests}).
   */
  public static Map<String, String> versions(XdsResources resources) {
    return versions(resources, new RouteConfigurationDigests(), null);
  }

  /**
   * As {@link #versions(XdsResources)}; a type whose resources are the very instances, in the same order, that
   * {@code before} hashed keeps its version (the translator reuses the instances of unchanged clusters and
   * endpoints). Route configurations always go through {@code routeDigests}, which keeps their parts.
   */
  private static Map<String, String> versions(XdsResources resources, RouteConfigurationDigests routeDigests,
      HashedTypes before) {
    Map<String, String> versions = new LinkedHashMap<>();
    versions.put(Resources.V3.CLUSTER_TYPE_URL, before != null && Instances.sameElements(resources.clusters(),
        before.resources().clusters()) ? before.versions().get(Resources.V3.CLUSTER_TYPE_URL)
        : hash(resources.clusters(), routeDigests));
    versions.put(Resources.V3.ENDPOINT_TYPE_URL, before != null && Instances.sameElements(resources.endpoints(),
        before.resources().endpoints()) ? before.versions().get(Resources.V3.ENDPOINT_TYPE_URL)
        : hash(resources.endpoints(), routeDigests));
    versions.put(Resources.V3.LISTENER_TYPE_URL, before != null && Instances.sameElements(resources.listeners(),
        before.resources().listeners()) ? before.versions().get(Resources.V3.LISTENER_TYPE_URL)
        : hash(resources.listeners(), routeDigests));
    versions.put(Resources.V3.ROUTE_TYPE_URL, hash(resources.routes(), routeDigests));
    versions.put(Resources.V3.SECRET_TYPE_URL, before != null && Instances.sameElements(resources.secrets(),
        before.resources().secrets()) ? before.versions().get(Resources.V3.SECRET_TYPE_URL)
        : hash(resources.secrets(), routeDigests));
    return versions;
  }

  /** The resources a Gateway's versions were last computed from. */
  private record HashedTypes(XdsResources resources, Map<String, String> versions) {}

  /** Per Gateway, the resources and versions of its latest publish attempt that got as far as hashing. */
  @GuardedBy("publishLock")
  private final Map<ResourceKey, HashedTypes> versionsByGateway = new HashMap<>();

  /** Digests of the virtual hosts and routes of the latest publish, reused by instance by the next. */
  @GuardedBy("publishLock")
  private final RouteConfigurationDigests routeDigests = new RouteConfigurationDigests();

  @GuardedBy("publishLock")
  private PublishedSnapshot set(ResourceKey gateway, String group, XdsResources resources,
      Map<String, String> versions, boolean removed) {
    Snapshot snapshot = Snapshot.create(
        resources.clusters(), versions.get(Resources.V3.CLUSTER_TYPE_URL),
        resources.endpoints(), versions.get(Resources.V3.ENDPOINT_TYPE_URL),
        resources.listeners(), versions.get(Resources.V3.LISTENER_TYPE_URL),
        resources.routes(), versions.get(Resources.V3.ROUTE_TYPE_URL),
        resources.secrets(), versions.get(Resources.V3.SECRET_TYPE_URL));
    cache.setSnapshot(group, snapshot);
    PublishedSnapshot before = published.get(gateway);
    LOG.info(PublishLogLine.of(gateway, group, versions, before == null ? null : before.versions(), removed));
    LOG.debug("{} snapshot of {} for node group {}: {}", removed ? "emptied" : "published", gateway, group, versions);
    return new PublishedSnapshot(gateway, group, versions, resources, removed, clock.instant());
  }

  private void notifyListeners(PublishedSnapshot snapshot) {
    for (Consumer<PublishedSnapshot> listener : listeners) {
      try {
        listener.accept(snapshot);
      } catch (RuntimeException e) {
        LOG.warn("snapshot listener failed for {}", snapshot.gateway(), e);
      }
    }
  }

  private void count(ResourceKey gateway, String result) {
    Counter.builder("gloo.snapshot.publish")
        .description("Snapshot publishes per Gateway and outcome")
        .tag("gateway", gateway.namespacedName())
        .tag("result", result)
        .register(registry)
        .increment();
    // the Gateway's rejection counter exists from its first publish, at 0: Prometheus's increase() over a counter
    // that first appears at 1 is 0, so the alert on it (GlooConfigNotConverging) would miss the first rejection
    rejectedCounter(gateway);
  }

  /**
   * The translator takes out what Envoy would reject element by element, so a whole snapshot refused here is a
   * translator bug worth an alert: {@code gloo_snapshot_rejected_total{gateway}}.
   */
  private void rejected(ResourceKey gateway) {
    rejectedCounter(gateway).increment();
  }

  private Counter rejectedCounter(ResourceKey gateway) {
    return Counter.builder("gloo.snapshot.rejected")
        .description("Whole snapshots refused by the last-line check (inconsistent or invalid); the last good one"
            + " keeps serving")
        .tag("gateway", gateway.namespacedName())
        .register(registry);
  }

  private static String hash(List<? extends Message> resources, RouteConfigurationDigests routeDigests) {
    List<Message> sorted = new ArrayList<>(resources);
    sorted.sort(BY_NAME);
    MessageDigest digest = RouteConfigurationDigests.sha256();
    try {
      CodedOutputStream out = CodedOutputStream.newInstance(RouteConfigurationDigests.into(digest), HASH_BUFFER_BYTES);
      // Map fields (e.g. Struct metadata) have no defined order unless serialization is deterministic.
      out.useDeterministicSerialization();
      for (Message resource : sorted) {
        if (resource instanceof RouteConfiguration config) {
          routeDigests.write(out, config);
        } else {
          // Length-prefixed so that the boundaries between resources are part of the hash.
          out.writeMessageNoTag(resource);
        }
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] sha = digest.digest();
    return BaseEncoding.base16().lowerCase().encode(sha).substring(0, VERSION_HEX_CHARS);
  }
}
