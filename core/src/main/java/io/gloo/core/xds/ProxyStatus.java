package io.gloo.core.xds;

import io.gloo.core.store.ResourceKey;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One connected Envoy node as seen by the xDS server.
 *
 * @param nodeId {@code node.id}; replicas sharing an id are one entry
 * @param group node group (see {@code io.gloo.core.snapshot.ProxyNodes})
 * @param gateway the Gateway of that group, if the group names one
 * @param streams open xDS streams of this node id
 * @param connectedAt when its first currently-open stream sent its first request
 * @param types per xDS type URL, what the node accepted or rejected
 */
public record ProxyStatus(
    String nodeId,
    String group,
    Optional<ResourceKey> gateway,
    int streams,
    Instant connectedAt,
    Map<String, TypeStatus> types) {

  public ProxyStatus {
    types = Collections.unmodifiableMap(new TreeMap<>(types));
  }

  /**
   * ACK/NACK state of one xDS type on one node.
   *
   * @param ackedVersion last ACKed version, {@code ""} if none yet
   * @param ackedAt when it was ACKed, null if never
   * @param lastNack the last NACK if it was not superseded by a later ACK of this type, else null
   */
  public record TypeStatus(String ackedVersion, Instant ackedAt, Nack lastNack) {

    public Optional<Nack> activeNack() {
      return Optional.ofNullable(lastNack);
    }
  }
}
