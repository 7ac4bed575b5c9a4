package io.gloo.core.conformance;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.gloo.core.conformance.CaseChecker.Response;
import io.gloo.core.evaluate.RouteDecision;
import io.gloo.core.translate.XdsResources;
import java.util.ArrayList;
import java.util.List;

/**
 * The upstream leg of a request the evaluator forwards: the cluster's endpoint stands for a synthesized Service's echo
 * pod, reached over TLS or not ({@link UpstreamHandshake}), upgraded to a WebSocket or not, answering with the echo
 * server's status behaviour under the route's retries and timeouts ({@link EchoBackend}). Stateless apart from the
 * world it reads.
 */
final class EchoUpstream {

  private static final String HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  private final ConformanceWorld world;

  EchoUpstream(ConformanceWorld world) {
    this.world = world;
  }

  Response forward(RouteDecision d, XdsResources xds) {
    List<String> addresses = endpoints(xds, d.cluster());
    if (addresses.isEmpty()) {
      return new Response(d, 503, null, "cluster " + d.cluster() + " has no endpoints (no healthy upstream)");
    }
    // one endpoint per synthesized Service; a cluster over several Services is not something we build
    String service = world.serviceAt(addresses.get(0));
    if (service == null) {
      return new Response(d, 503, null, "cluster " + d.cluster() + " endpoints " + addresses
          + " are no echo backend");
    }
    // TLS towards the backend (BackendTLSPolicy): the cluster's UpstreamTlsContext against the port's protocol
    UpstreamHandshake.Result tls = UpstreamHandshake.connect(xds, d.cluster(), world, service, firstPort(xds,
        d.cluster()));
    if (tls.status() != null) {
      return new Response(d, tls.status(), tls.status() == 400 ? service : null, tls.why());
    }
    if (websocket(d)) {
      return webSocket(d, xds, service);
    }
    // the echo server's own status behaviour (/status/NNN, /retry/..., ?delay=), with the route's retries and
    // timeouts
    int status = new EchoBackend().forward(d.upstream().path(), d.retryPolicy(), timeout(d.timeout()));
    if (status == EchoBackend.UNDECIDABLE) {
      throw new Undecidable("whether a timeout elapses depends on Envoy's retry back-off jitter");
    }
    return new Response(d, status, service, status == 200 ? "forwarded to " + service
        : "forwarded to " + service + ", which answered " + status + " (after the route's retries)", tls);
  }

  private static boolean websocket(RouteDecision d) {
    return d.upstream().headers().stream()
        .anyMatch(h -> h.name().equals("upgrade") && h.value().equalsIgnoreCase("websocket"));
  }

  /**
   * A WebSocket handshake Envoy let through (the route or the connection manager allows the upgrade, see the
   * evaluator): the echo server's {@code /ws} handler (golang.org/x/net/websocket, on its HTTP/1.1 port) answers 101
   * and echoes every frame as sent; any other path is its plain echo (200, no upgrade). Envoy forwards the upgrade
   * over HTTP/1.1 only: a cluster speaking HTTP/2 to this backend (an HTTP/1.1-only port) gets no answer.
   */
  private Response webSocket(RouteDecision d, XdsResources xds, String service) {
    if (speaksHttp2(xds, d.cluster())) {
      return new Response(d, 503, service, "cluster " + d.cluster() + " speaks HTTP/2 to " + service
          + ", whose WebSocket port speaks HTTP/1.1 only");
    }
    String path = d.upstream().path();
    int q = path.indexOf('?');
    boolean ws = (q < 0 ? path : path.substring(0, q)).equals("/ws");
    return new Response(d, ws ? 101 : 200, service, ws ? "upgraded by " + service + "'s /ws handler, which"
        + " echoes every frame" : "forwarded to " + service + " at " + path + ", which echoes without upgrading");
  }

  /** A case whose answer depends on what the model does not fix: a live data plane decides it. */
  static final class Undecidable extends RuntimeException {
    Undecidable(String why) {
      super(why, null, false, false);
    }
  }

  /** The route timeout the evaluator reports ({@code "0.500s"}; {@code "0s"}: none). */
  private static java.time.Duration timeout(String timeout) {
    if (timeout == null) {
      return null;
    }
    try {
      com.google.protobuf.Duration d = com.google.protobuf.util.Durations.parse(timeout);
      return java.time.Duration.ofSeconds(d.getSeconds(), d.getNanos());
    } catch (java.text.ParseException e) {
      throw new IllegalArgumentException("route timeout " + timeout + " is no duration", e);
    }
  }

  /** The port of the cluster's first endpoint (0 when it has none). */
  private static int firstPort(XdsResources xds, String cluster) {
    ClusterLoadAssignment cla = assignment(xds, cluster);
    if (cla != null) {
      for (LocalityLbEndpoints l : cla.getEndpointsList()) {
        for (LbEndpoint e : l.getLbEndpointsList()) {
          return e.getEndpoint().getAddress().getSocketAddress().getPortValue();
        }
      }
    }
    return 0;
  }

  private static ClusterLoadAssignment assignment(XdsResources xds, String cluster) {
    ClusterLoadAssignment cla = null;
    for (ClusterLoadAssignment e : xds.endpoints()) {
      if (e.getClusterName().equals(cluster)) {
        cla = e;
      }
    }
    if (cla == null) {
      for (Cluster c : xds.clusters()) {
        if (c.getName().equals(cluster) && c.hasLoadAssignment()) {
          cla = c.getLoadAssignment();
        }
      }
    }
    return cla;
  }

  static List<String> endpoints(XdsResources xds, String cluster) {
    ClusterLoadAssignment cla = assignment(xds, cluster);
    List<String> out = new ArrayList<>();
    if (cla != null) {
      for (LocalityLbEndpoints l : cla.getEndpointsList()) {
        for (LbEndpoint e : l.getLbEndpointsList()) {
          out.add(e.getEndpoint().getAddress().getSocketAddress().getAddress());
        }
      }
    }
    return out;
  }

  /** The cluster's upstream HTTP protocol is HTTP/2 (explicit, or http2_protocol_options). */
  @SuppressWarnings("deprecation")
  static boolean speaksHttp2(XdsResources xds, String cluster) {
    for (Cluster c : xds.clusters()) {
      if (!c.getName().equals(cluster)) {
        continue;
      }
      if (c.hasHttp2ProtocolOptions()) {
        return true;
      }
      com.google.protobuf.Any any = c.getTypedExtensionProtocolOptionsMap().get(HTTP_PROTOCOL_OPTIONS);
      if (any != null) {
        try {
          HttpProtocolOptions o = any.unpack(HttpProtocolOptions.class);
          return o.getExplicitHttpConfig().hasHttp2ProtocolOptions();
        } catch (InvalidProtocolBufferException e) {
          return false;
        }
      }
    }
    return false;
  }
}
