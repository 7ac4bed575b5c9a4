package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpecAddress;
import io.gloo.core.store.ResourceSnapshot;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which of a Gateway's requested {@code spec.addresses} its proxy may take. The provisioner puts usable ones on the
 * proxy Service as {@code spec.externalIPs}, which kube-proxy answers on at once; but any pod author able to set
 * external IPs can capture another service's traffic (CVE-2020-8554), so only addresses the cluster operator lists
 * on the GatewayClass are usable: {@code spec.parametersRef} to a ConfigMap whose key {@value #POOL_KEY} holds IP
 * addresses and CIDRs (comma or white space separated). Without that list no static address is usable (secure by
 * default). A Hostname address cannot be put on a Service: never usable. An address without a value asks for any
 * address: nothing to decide. Stateless.
 */
public final class StaticAddresses {

  /** The GatewayClass parameters ConfigMap key listing the addresses proxies may take. */
  public static final String POOL_KEY = "staticAddresses";

  private static final Pattern SEPARATORS = Pattern.compile("[,\\s]+");

  private StaticAddresses() {}

  /**
   * A Gateway's requested addresses, decided.
   *
   * @param usable the IP addresses the proxy takes, in the spec's order
   * @param notUsable the requested values it cannot take, each with why
   */
  public record Decision(List<String> usable, List<String> notUsable) {}

  /** The decision for {@code gateway} of class {@code gatewayClass} (null: none found) in {@code snapshot}. */
  public static Decision decide(Gateway gateway, GatewayClass gatewayClass, ResourceSnapshot snapshot) {
    List<String> usable = new ArrayList<>();
    List<String> notUsable = new ArrayList<>();
    if (gateway.getSpec() == null || gateway.getSpec().getAddresses() == null) {
      return new Decision(usable, notUsable);
    }
    List<String> pool = pool(gatewayClass, snapshot);
    for (GatewaySpecAddress a : gateway.getSpec().getAddresses()) {
      String value = a.getValue();
      if (value == null || value.isEmpty()) {
        continue;
      }
      String type = a.getType() == null ? "IPAddress" : a.getType();
      if (type.equals("Hostname")) {
        notUsable.add(value + " (a Hostname: the proxy Service takes IP addresses only)");
      } else if (type.equals("IPAddress")) {
        if (inPool(value, pool)) {
          usable.add(value);
        } else {
          notUsable.add(value + (pool.isEmpty() ? " (GatewayClass " + className(gatewayClass) + " lists no "
              + POOL_KEY + " in its parameters)" : " (not in GatewayClass " + className(gatewayClass) + "'s "
              + POOL_KEY + ")"));
        }
      }
    }
    return new Decision(usable, notUsable);
  }

  /** Why the class's parametersRef is invalid (not a ConfigMap, or absent), or null when valid or unset. */
  static String invalidParameters(GatewayClass gatewayClass, ResourceSnapshot snapshot) {
    var ref = gatewayClass.getSpec() == null ? null : gatewayClass.getSpec().getParametersRef();
    if (ref == null) {
      return null;
    }
    if (!GatewayApi.groupOrCore(ref.getGroup()).isEmpty() || !"ConfigMap".equals(ref.getKind())) {
      return "parametersRef " + ref.getKind() + " " + ref.getName() + ": unsupported kind (supported: ConfigMap)";
    }
    if (ref.getNamespace() == null || snapshot.get(ConfigMap.class, ref.getNamespace(), ref.getName()).isEmpty()) {
      return "parametersRef ConfigMap " + ref.getNamespace() + "/" + ref.getName() + " not found";
    }
    return null;
  }

  private static List<String> pool(GatewayClass gatewayClass, ResourceSnapshot snapshot) {
    if (gatewayClass == null || invalidParameters(gatewayClass, snapshot) != null
        || gatewayClass.getSpec().getParametersRef() == null) {
      return List.of();
    }
    var ref = gatewayClass.getSpec().getParametersRef();
    ConfigMap cm = snapshot.get(ConfigMap.class, ref.getNamespace(), ref.getName()).orElseThrow();
    String listed = cm.getData() == null ? null : cm.getData().get(POOL_KEY);
    if (listed == null || listed.isBlank()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String entry : SEPARATORS.split(listed.trim())) {
      if (!entry.isEmpty()) {
        out.add(entry);
      }
    }
    return out;
  }

  /** Whether {@code ip} (a literal IP address) is one of the pool's addresses or inside one of its CIDRs. */
  static boolean inPool(String ip, List<String> pool) {
    byte[] address = literal(ip);
    if (address == null) {
      return false;
    }
    for (String entry : pool) {
      int slash = entry.indexOf('/');
      byte[] network = literal(slash < 0 ? entry : entry.substring(0, slash));
      if (network == null || network.length != address.length) {
        continue;
      }
      int bits = address.length * 8;
      int prefix;
      try {
        prefix = slash < 0 ? bits : Integer.parseInt(entry.substring(slash + 1));
      } catch (NumberFormatException e) {
        continue; // a malformed entry matches nothing
      }
      if (prefix < 0 || prefix > bits) {
        continue;
      }
      BigInteger mask = prefix == 0 ? BigInteger.ZERO
          : BigInteger.ONE.shiftLeft(prefix).subtract(BigInteger.ONE).shiftLeft(bits - prefix);
      if (new BigInteger(1, address).and(mask).equals(new BigInteger(1, network).and(mask))) {
        return true;
      }
    }
    return false;
  }

  /** The bytes of an IPv4 or IPv6 literal; null for anything else (never a DNS lookup). */
  private static byte[] literal(String s) {
    boolean v4 = s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = s.contains(":") && s.matches("[0-9A-Fa-f:.]+");
    if (!v4 && !v6) {
      return null;
    }
    try {
      return InetAddress.getByName(s).getAddress();
    } catch (UnknownHostException | SecurityException e) {
      return null;
    }
  }

  private static String className(GatewayClass gatewayClass) {
    return gatewayClass == null ? "(none)" : gatewayClass.getMetadata().getName();
  }
}
