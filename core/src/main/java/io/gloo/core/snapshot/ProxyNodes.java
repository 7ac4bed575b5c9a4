package io.gloo.core.snapshot;

import com.google.protobuf.Value;
import io.envoyproxy.controlplane.cache.NodeGroup;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.gloo.core.store.ResourceKey;
import java.util.Optional;

/**
 * The one place that decides which Envoy nodes receive which Gateway's configuration. Used by the snapshot cache
 * (to key snapshots), the {@code ProxyTracker} (to attribute ACKs/NACKs to a Gateway) and the bootstrap generator
 * (to write a node identity that maps back to the Gateway).
 *
 * <p>Convention:
 * <ul>
 *   <li>The node <em>group</em> of Gateway {@code ns/name} is the string {@code ns~name}.</li>
 *   <li>A node belongs to the group named by its {@code node.metadata} string field {@value #GATEWAY_METADATA_KEY}
 *       ({@code ns/name}) if present and well-formed; otherwise to the group equal to its {@code node.cluster}
 *       ({@code ns~name}) if that is well-formed; otherwise to {@link #UNASSIGNED}, which never gets a snapshot, so
 *       such a proxy waits with no configuration instead of receiving someone else's.</li>
 *   <li>The bootstrap writes {@code node.id = gloo-proxy~ns~name} (replicas may override it with
 *       {@code --service-node} to be tracked individually), {@code node.cluster = ns~name} and the metadata field.
 *       Metadata wins over cluster so that operators can repurpose {@code --service-cluster} (e.g. for stats)
 *       without moving the proxy to another Gateway.</li>
 * </ul>
 * Kubernetes namespaces and names cannot contain {@code ~} or {@code /}, so both encodings are unambiguous.
 *
 * <p>A Gloo Edge proxy ({@code Proxy/ns/name}, one per {@code proxyNames} entry of Edge Gateways) is the group
 * {@code ns~name~proxy}, named by the metadata field {@value #PROXY_METADATA_KEY} ({@code ns/name}) or that
 * cluster; it never shares a group with a Gateway API Gateway of the same namespace and name.
 */
public final class ProxyNodes {

  /** The {@code node.metadata} field naming the Gateway as {@code namespace/name}. */
  public static final String GATEWAY_METADATA_KEY = "gloo.gateway";

  /** The {@code node.metadata} field naming a Gloo Edge proxy as {@code namespace/name}. */
  public static final String PROXY_METADATA_KEY = "gloo.proxy";

  /** The key kind of a Gloo Edge proxy. */
  public static final String PROXY_KIND = "Proxy";

  private static final String PROXY_SUFFIX = "~proxy";

  /** Prefix of the default {@code node.id} written by the bootstrap. */
  public static final String NODE_ID_PREFIX = "gloo-proxy";

  /** Group of nodes that identify no Gateway; never has a snapshot. */
  public static final String UNASSIGNED = "";

  /** The {@link NodeGroup} for java-control-plane caches. */
  public static final NodeGroup<String> NODE_GROUP = ProxyNodes::groupOf;

  private static final String GROUP_SEPARATOR = "~";
  private static final String GATEWAY_KIND = "Gateway";

  private ProxyNodes() {}

  /** The group {@code node} belongs to, or {@link #UNASSIGNED}. Never null. */
  public static String groupOf(Node node) {
    if (node == null) {
      return UNASSIGNED;
    }
    Value fromMetadata = node.getMetadata().getFieldsMap().get(GATEWAY_METADATA_KEY);
    if (fromMetadata != null && fromMetadata.hasStringValue()) {
      String[] parts = fromMetadata.getStringValue().split("/", -1);
      if (parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty()) {
        return parts[0] + GROUP_SEPARATOR + parts[1];
      }
    }
    Value proxy = node.getMetadata().getFieldsMap().get(PROXY_METADATA_KEY);
    if (proxy != null && proxy.hasStringValue()) {
      String[] parts = proxy.getStringValue().split("/", -1);
      if (parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty() && !parts[0].contains(GROUP_SEPARATOR)
          && !parts[1].contains(GROUP_SEPARATOR)) {
        return parts[0] + GROUP_SEPARATOR + parts[1] + PROXY_SUFFIX;
      }
    }
    return gatewayOf(node.getCluster()).isPresent() ? node.getCluster() : UNASSIGNED;
  }

  /** The group of a Gateway, {@code namespace~name}, or of a Gloo Edge proxy, {@code namespace~name~proxy}. */
  public static String groupOf(ResourceKey gateway) {
    requireGateway(gateway);
    return gateway.namespace() + GROUP_SEPARATOR + gateway.name()
        + (PROXY_KIND.equals(gateway.kind()) ? PROXY_SUFFIX : "");
  }

  /**
   * The Gateway (or Gloo Edge {@code Proxy}) a group stands for, or empty if {@code group} is not of the form
   * {@code namespace~name} (or {@code namespace~name~proxy}).
   */
  public static Optional<ResourceKey> gatewayOf(String group) {
    if (group == null) {
      return Optional.empty();
    }
    if (group.endsWith(PROXY_SUFFIX)) {
      return gatewayOf(group.substring(0, group.length() - PROXY_SUFFIX.length()))
          .map(k -> new ResourceKey(PROXY_KIND, k.namespace(), k.name()));
    }
    String[] parts = group.split(GROUP_SEPARATOR, -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty() || parts[0].contains("/")
        || parts[1].contains("/")) {
      return Optional.empty();
    }
    return Optional.of(new ResourceKey(GATEWAY_KIND, parts[0], parts[1]));
  }

  /** The default {@code node.id} of the proxies of a Gateway: {@code gloo-proxy~namespace~name}. */
  public static String defaultNodeId(ResourceKey gateway) {
    return NODE_ID_PREFIX + GROUP_SEPARATOR + groupOf(gateway);
  }

  /** The metadata field that names the group: {@value #GATEWAY_METADATA_KEY}, or {@value #PROXY_METADATA_KEY}. */
  public static String metadataKey(ResourceKey gateway) {
    requireGateway(gateway);
    return PROXY_KIND.equals(gateway.kind()) ? PROXY_METADATA_KEY : GATEWAY_METADATA_KEY;
  }

  /** The {@link #metadataKey} value for a Gateway or Edge proxy: {@code namespace/name}. */
  public static String metadataValue(ResourceKey gateway) {
    requireGateway(gateway);
    return gateway.namespace() + "/" + gateway.name();
  }

  private static void requireGateway(ResourceKey gateway) {
    if (!(GATEWAY_KIND.equals(gateway.kind()) || PROXY_KIND.equals(gateway.kind())) || gateway.namespace() == null
        || gateway.namespace().isEmpty()) {
      throw new IllegalArgumentException("not a namespaced Gateway: " + gateway);
    }
  }
}
