package io.gloo.core.provision;

import static io.gloo.core.provision.ProxyProvisioner.GATEWAY_NAME_LABEL;
import static io.gloo.core.provision.ProxyProvisioner.MANAGED_BY;
import static io.gloo.core.provision.ProxyProvisioner.MANAGED_BY_LABEL;
import static io.gloo.core.provision.ProxyProvisioner.proxyName;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.gatewayapi.GatewayApi;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The Gateways of our class, and the addresses their proxy Services give them for {@code status.addresses}. */
final class GatewayAddresses {

  private GatewayAddresses() {}

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

  /**
   * The static addresses the Gateway asked for and may take (the Service's {@code externalIPs}, which kube-proxy
   * answers on: the only addresses then, as the spec wants); else the LoadBalancer ingress IPs and host names, else
   * the ClusterIP (none while it is not allocated).
   */
  static List<GatewayStatusAddress> addressesOf(Service service) {
    List<GatewayStatusAddress> result = new ArrayList<>();
    if (service.getSpec() != null && service.getSpec().getExternalIPs() != null
        && !service.getSpec().getExternalIPs().isEmpty()) {
      service.getSpec().getExternalIPs().forEach(ip -> result.add(address("IPAddress", ip)));
      return result;
    }
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
}
