package io.gloo.core.xds;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import com.google.rpc.Status;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.gloo.core.snapshot.ProxyNodes;
import io.gloo.core.snapshot.Subscription;
import io.gloo.core.store.ResourceKey;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every xDS stream of the server (state-of-the-world and delta, ADS and per-type) and keeps, per Envoy
 * {@code node.id}: its node group, its open streams and, per xDS type URL, the last ACKed version and the last NACK.
 *
 * <p>Classification, as Envoy uses the protocol: a request with {@code error_detail} is a NACK of the response whose
 * nonce it carries; a request with a {@code response_nonce} and no error is an ACK (of {@code version_info} for
 * state-of-the-world, of the {@code system_version_info} sent with that nonce for delta); a request without nonce is
 * a subscription. A NACK stays <em>active</em> until the same node ACKs the same type again. NACKs are logged at WARN.
 *
 * <p>Node ids: Envoy replicas started from the same bootstrap share {@code node.id}
 * ({@code gloo-proxy~ns~name}) and are then one entry here (the latest ACK/NACK of any of them wins); give replicas
 * distinct ids with {@code --service-node} to track them individually. A node is forgotten when its last stream
 * closes, so a NACK of a proxy that went away does not linger in the Gateway status.
 *
 * <p>Metrics: {@code gloo_xds_connected_proxies} (distinct node ids with an open stream), {@code
 * gloo_xds_push_total{type}} (responses sent), {@code gloo_xds_ack_total{type}}, {@code gloo_xds_nack_total{type}}
 * and {@code gloo_xds_ack_latency_seconds{type}} (from sending a response to the ACK or NACK of its nonce; a
 * histogram), with {@code type} one of cluster, endpoint, listener, route, secret (or other);
 * {@code gloo_xds_gateway_push_total{gateway}} and {@code gloo_xds_gateway_connected_proxies{gateway}} per node group
 * (one per Gateway: bounded by the Gateways served, never per proxy).
 *
 * <p>Thread safety: callbacks arrive on gRPC and cache threads; all state is guarded by one lock held only for map
 * updates. Listeners run after the lock is released, on the callback thread, and must not block.
 */
@ThreadSafe
public final class ProxyTracker implements DiscoveryServerCallbacks {

  /** What changed. */
  public enum EventKind {
    CONNECTED, DISCONNECTED, ACK, NACK
  }

  /**
   * A change of the tracked state, for listeners such as the status reporter.
   *
   * @param kind what happened
   * @param nodeId the node
   * @param group its group
   * @param typeUrl the xDS type for ACK/NACK, {@code ""} otherwise
   */
  public record Event(EventKind kind, String nodeId, String group, String typeUrl) {}

  private static final Logger LOG = LoggerFactory.getLogger(ProxyTracker.class);
  /** Nonces remembered per stream and type to find the version an ACK/NACK refers to. */
  private static final int NONCES_PER_TYPE = 8;

  private final MeterRegistry registry;
  private final Clock clock;
  private final Object lock = new Object();
  private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
  /** Counters by name and type or group ({@link #counter}, {@link #gatewayPushes}). */
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final AtomicInteger connected = new AtomicInteger();
  @GuardedBy("lock")
  private final Map<String, AtomicInteger> connectedByGroup = new HashMap<>();

  @GuardedBy("lock")
  private final Map<Long, StreamState> streams = new HashMap<>();

  @GuardedBy("lock")
  private final Map<String, NodeState> nodes = new HashMap<>();

  public ProxyTracker(MeterRegistry registry) {
    this(registry, Clock.systemUTC());
  }

  public ProxyTracker(MeterRegistry registry, Clock clock) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.clock = Objects.requireNonNull(clock, "clock");
    Gauge.builder("gloo.xds.connected.proxies", connected, AtomicInteger::get)
        .description("Envoy node ids with at least one open xDS stream")
        .register(registry);
  }

  /** All connected nodes, by node id. */
  public List<ProxyStatus> proxies() {
    synchronized (lock) {
      return nodes.values().stream()
          .sorted(Comparator.comparing(n -> n.nodeId))
          .map(NodeState::toStatus)
          .toList();
    }
  }

  /** Connected nodes of one Gateway. */
  public List<ProxyStatus> proxies(ResourceKey gateway) {
    String group = ProxyNodes.groupOf(gateway);
    return proxies().stream().filter(p -> p.group().equals(group)).toList();
  }

  /** NACKs of connected nodes of {@code gateway} not superseded by a later ACK of the same type from the same node. */
  public List<Nack> activeNacks(ResourceKey gateway) {
    String group = ProxyNodes.groupOf(gateway);
    List<Nack> result = new ArrayList<>();
    synchronized (lock) {
      for (NodeState node : nodes.values()) {
        if (!node.group.equals(group)) {
          continue;
        }
        for (TypeState type : node.types.values()) {
          if (type.lastNack != null) {
            result.add(type.lastNack);
          }
        }
      }
    }
    result.sort(Comparator.comparing(Nack::nodeId).thenComparing(Nack::typeUrl));
    return result;
  }

  /** The NACK a node currently stands by for one xDS type (not superseded by a later ACK), if any. */
  public java.util.Optional<Nack> activeNack(String nodeId, String typeUrl) {
    synchronized (lock) {
      NodeState node = nodes.get(nodeId);
      TypeState type = node == null ? null : node.types.get(typeUrl);
      return java.util.Optional.ofNullable(type == null ? null : type.lastNack);
    }
  }

  /** Calls {@code listener} on every connect, disconnect, ACK and NACK. */
  public Subscription onChange(Consumer<Event> listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public void onStreamOpen(long streamId, String typeUrl) {
    synchronized (lock) {
      streams.put(streamId, new StreamState(typeUrl == null ? "" : typeUrl));
    }
  }

  @Override
  public void onStreamClose(long streamId, String typeUrl) {
    closed(streamId);
  }

  @Override
  public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    closed(streamId);
  }

  @Override
  public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
    List<Event> events = new ArrayList<>(2);
    synchronized (lock) {
      StreamState stream = stream(streamId);
      NodeState node = attach(stream, request.hasNode() ? request.getNode() : null, events);
      if (node == null) {
        return;
      }
      String typeUrl = request.getTypeUrl().isEmpty() ? stream.defaultTypeUrl : request.getTypeUrl();
      if (request.hasErrorDetail()) {
        nack(node, stream, typeUrl, request.getVersionInfo(), request.getResponseNonce(), request.getErrorDetail(),
            events);
      } else if (!request.getResponseNonce().isEmpty()) {
        answered(stream, typeUrl, request.getResponseNonce());
        ack(node, typeUrl, request.getVersionInfo(), events);
      }
    }
    fire(events);
  }

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
    List<Event> events = new ArrayList<>(2);
    synchronized (lock) {
      StreamState stream = stream(streamId);
      NodeState node = attach(stream, request.hasNode() ? request.getNode() : null, events);
      if (node == null) {
        return;
      }
      String typeUrl = request.getTypeUrl().isEmpty() ? stream.defaultTypeUrl : request.getTypeUrl();
      if (request.hasErrorDetail()) {
        nack(node, stream, typeUrl, "", request.getResponseNonce(), request.getErrorDetail(), events);
      } else if (!request.getResponseNonce().isEmpty()) {
        String version = stream.versionOf(typeUrl, request.getResponseNonce());
        answered(stream, typeUrl, request.getResponseNonce());
        ack(node, typeUrl, version == null ? node.type(typeUrl).ackedVersion : version, events);
      }
    }
    fire(events);
  }

  @Override
  public void onV3StreamResponse(long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    String group;
    synchronized (lock) {
      StreamState stream = stream(streamId);
      stream.sent(response.getTypeUrl(), response.getNonce(), response.getVersionInfo(), clock.instant());
      group = groupOf(stream);
    }
    counter("gloo.xds.push", response.getTypeUrl()).increment();
    gatewayPushes(group).increment();
  }

  @Override
  public void onV3StreamDeltaResponse(long streamId, DeltaDiscoveryRequest request,
      DeltaDiscoveryResponse response) {
    String group;
    synchronized (lock) {
      StreamState stream = stream(streamId);
      stream.sent(response.getTypeUrl(), response.getNonce(), response.getSystemVersionInfo(), clock.instant());
      group = groupOf(stream);
    }
    counter("gloo.xds.push", response.getTypeUrl()).increment();
    gatewayPushes(group).increment();
  }

  @GuardedBy("lock")
  private String groupOf(StreamState stream) {
    NodeState node = stream.nodeId == null ? null : nodes.get(stream.nodeId);
    return node == null ? "" : node.group;
  }

  /** {@code gloo_xds_gateway_push_total{gateway}}: responses sent to the proxies of one node group (bounded). */
  private Counter gatewayPushes(String group) {
    return counters.computeIfAbsent("gateway\n" + group, k -> Counter.builder("gloo.xds.gateway.push")
        .description("xDS responses sent, by the proxies' node group")
        .tag("gateway", group.isEmpty() ? "unknown" : group).register(registry));
  }

  /** {@code gloo_xds_gateway_connected_proxies{gateway}}: node ids with an open stream, per node group. */
  @GuardedBy("lock")
  private void countGroup(String group, int delta) {
    connectedByGroup.computeIfAbsent(group, g -> {
      AtomicInteger count = new AtomicInteger();
      Gauge.builder("gloo.xds.gateway.connected.proxies", count, AtomicInteger::get)
          .description("Envoy node ids with at least one open xDS stream, by node group (Gateway)")
          .tag("gateway", g.isEmpty() ? "unknown" : g).register(registry);
      return count;
    }).addAndGet(delta);
  }

  @GuardedBy("lock")
  private StreamState stream(long streamId) {
    // Tolerates a request racing ahead of onStreamOpen's bookkeeping (or a tracker added late).
    return streams.computeIfAbsent(streamId, id -> new StreamState(""));
  }

  /** Binds the stream to its node on the first request that names one; later requests may omit the node. */
  @GuardedBy("lock")
  private NodeState attach(StreamState stream, Node node, List<Event> events) {
    if (stream.nodeId != null) {
      return nodes.get(stream.nodeId);
    }
    if (node == null) {
      return null;
    }
    stream.nodeId = node.getId();
    NodeState state = nodes.get(node.getId());
    if (state == null) {
      state = new NodeState(node.getId(), ProxyNodes.groupOf(node), clock.instant());
      nodes.put(node.getId(), state);
      connected.set(nodes.size());
      countGroup(state.group, 1);
      events.add(new Event(EventKind.CONNECTED, state.nodeId, state.group, ""));
      LOG.info("proxy {} connected (group '{}')", state.nodeId, state.group);
    }
    state.streams++;
    return state;
  }

  private void closed(long streamId) {
    Event event = null;
    synchronized (lock) {
      StreamState stream = streams.remove(streamId);
      if (stream == null || stream.nodeId == null) {
        return;
      }
      NodeState node = nodes.get(stream.nodeId);
      if (node != null && --node.streams <= 0) {
        nodes.remove(node.nodeId);
        connected.set(nodes.size());
        countGroup(node.group, -1);
        event = new Event(EventKind.DISCONNECTED, node.nodeId, node.group, "");
        LOG.info("proxy {} disconnected (group '{}')", node.nodeId, node.group);
      }
    }
    if (event != null) {
      fire(List.of(event));
    }
  }

  @GuardedBy("lock")
  private void ack(NodeState node, String typeUrl, String version, List<Event> events) {
    TypeState type = node.type(typeUrl);
    boolean changed = type.lastNack != null || !type.ackedVersion.equals(version);
    type.ackedVersion = version;
    type.ackedAt = clock.instant();
    type.lastNack = null;
    counter("gloo.xds.ack", typeUrl).increment();
    if (changed) {
      events.add(new Event(EventKind.ACK, node.nodeId, node.group, typeUrl));
    }
  }

  @GuardedBy("lock")
  private void nack(NodeState node, StreamState stream, String typeUrl, String acceptedVersion, String nonce,
      Status error, List<Event> events) {
    String rejected = stream.versionOf(typeUrl, nonce);
    answered(stream, typeUrl, nonce);
    Nack nack = new Nack(node.nodeId, node.group, typeUrl, rejected == null ? "" : rejected, acceptedVersion,
        nonce, error.getCode(), error.getMessage(), clock.instant());
    node.type(typeUrl).lastNack = nack;
    counter("gloo.xds.nack", typeUrl).increment();
    LOG.warn("proxy {} (group '{}') rejected {} version '{}': {}", node.nodeId, node.group, typeUrl,
        nack.rejectedVersion(), error.getMessage());
    events.add(new Event(EventKind.NACK, node.nodeId, node.group, typeUrl));
  }

  /**
   * Records how long the proxy took to answer the response with {@code nonce} (once per nonce: Envoy repeats a
   * nonce in later requests, e.g. when it subscribes to more resources, which are no answers).
   */
  @GuardedBy("lock")
  private void answered(StreamState stream, String typeUrl, String nonce) {
    Sent sent = stream.answer(typeUrl, nonce);
    if (sent != null) {
      Timer.builder("gloo.xds.ack.latency")
          .description("from sending an xDS response to the proxy's ACK or NACK of it")
          .tag("type", typeTag(typeUrl))
          .publishPercentileHistogram()
          .register(registry)
          .record(Duration.between(sent.at(), clock.instant()));
    }
  }

  /**
   * One counter per (name, type), looked up in a map of our own: registering again on every ACK and push (1,000 per
   * new version with 1,000 proxies) built and sorted a meter id each time, partly under {@link #lock}.
   */
  private Counter counter(String name, String typeUrl) {
    return counters.computeIfAbsent(name + '\n' + typeUrl, k -> Counter.builder(name)
        .tag("type", typeTag(typeUrl))
        .register(registry));
  }

  private static String typeTag(String typeUrl) {
    Resources.ResourceType type = Resources.TYPE_URLS_TO_RESOURCE_TYPE.get(typeUrl);
    return type == null ? "other" : type.name().toLowerCase(Locale.ROOT);
  }

  private void fire(List<Event> events) {
    for (Event event : events) {
      for (Consumer<Event> listener : listeners) {
        try {
          listener.accept(event);
        } catch (RuntimeException e) {
          LOG.warn("proxy listener failed on {}", event, e);
        }
      }
    }
  }

  /** A response sent: its version, when, and whether the proxy answered it yet. */
  private static final class Sent {
    final String version;
    final Instant at;
    boolean answered;

    Sent(String version, Instant at) {
      this.version = version;
      this.at = at;
    }

    Instant at() {
      return at;
    }
  }

  private static final class StreamState {
    final String defaultTypeUrl;
    String nodeId;
    /** type URL to (nonce to what was sent), insertion-ordered and bounded. */
    final Map<String, LinkedHashMap<String, Sent>> sent = new HashMap<>();

    StreamState(String defaultTypeUrl) {
      this.defaultTypeUrl = defaultTypeUrl;
    }

    void sent(String typeUrl, String nonce, String version, Instant at) {
      LinkedHashMap<String, Sent> nonces = sent.computeIfAbsent(typeUrl, t -> new LinkedHashMap<>());
      nonces.put(nonce, new Sent(version, at));
      if (nonces.size() > NONCES_PER_TYPE) {
        nonces.remove(nonces.keySet().iterator().next());
      }
    }

    String versionOf(String typeUrl, String nonce) {
      Map<String, Sent> nonces = sent.get(typeUrl);
      Sent s = nonces == null ? null : nonces.get(nonce);
      return s == null ? null : s.version;
    }

    /** The response {@code nonce} names if this is the first answer to it, else null. */
    Sent answer(String typeUrl, String nonce) {
      Map<String, Sent> nonces = sent.get(typeUrl);
      Sent s = nonces == null ? null : nonces.get(nonce);
      if (s == null || s.answered) {
        return null;
      }
      s.answered = true;
      return s;
    }
  }

  private static final class NodeState {
    final String nodeId;
    final String group;
    final Instant connectedAt;
    int streams;
    final Map<String, TypeState> types = new HashMap<>();

    NodeState(String nodeId, String group, Instant connectedAt) {
      this.nodeId = nodeId;
      this.group = group;
      this.connectedAt = connectedAt;
    }

    TypeState type(String typeUrl) {
      return types.computeIfAbsent(typeUrl, t -> new TypeState());
    }

    ProxyStatus toStatus() {
      Map<String, ProxyStatus.TypeStatus> typeStatuses = new HashMap<>();
      types.forEach((url, t) -> typeStatuses.put(url, new ProxyStatus.TypeStatus(t.ackedVersion, t.ackedAt,
          t.lastNack)));
      return new ProxyStatus(nodeId, group, ProxyNodes.gatewayOf(group), streams, connectedAt, typeStatuses);
    }
  }

  private static final class TypeState {
    String ackedVersion = "";
    Instant ackedAt;
    Nack lastNack;
  }
}
