package io.gloo.plugins.extauth.translate;

import io.gloo.plugins.extauth.model.HostPorts;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plugin configuration the translation needs: where Envoy reaches our ext-auth service ({@code serviceAddress},
 * default {@code 127.0.0.1:8083}) and the user's own ext_authz servers ({@code customAuthServers.<name>=host:port};
 * {@code customAuth} without a name uses {@code customAuthServers.default}). Immutable.
 */
public record ExtAuthSettings(String serviceAddress, Map<String, String> customAuthServers) {

  public static final String DEFAULT_SERVICE_ADDRESS = "127.0.0.1:8083";
  public static final ExtAuthSettings DEFAULTS = new ExtAuthSettings(DEFAULT_SERVICE_ADDRESS, Map.of());

  public ExtAuthSettings {
    HostPorts.split(serviceAddress);
    customAuthServers.values().forEach(HostPorts::split);
    customAuthServers = java.util.Collections.unmodifiableMap(new TreeMap<>(customAuthServers));
  }

  /** From plugin config; throws IllegalArgumentException naming the bad key. */
  public static ExtAuthSettings from(Map<String, String> config) {
    Map<String, String> custom = new TreeMap<>();
    config.forEach((k, v) -> {
      if (k.startsWith("customAuthServers.")) {
        String name = k.substring("customAuthServers.".length());
        if (!name.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?")) {
          throw new IllegalArgumentException(k + ": the server name must be lowercase letters, digits and '-'");
        }
        try {
          HostPorts.split(v);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(k + ": " + e.getMessage());
        }
        custom.put(name, v);
      }
    });
    String address = config.getOrDefault("serviceAddress", DEFAULT_SERVICE_ADDRESS);
    try {
      HostPorts.split(address);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("serviceAddress: " + e.getMessage());
    }
    return new ExtAuthSettings(address, custom);
  }
}
