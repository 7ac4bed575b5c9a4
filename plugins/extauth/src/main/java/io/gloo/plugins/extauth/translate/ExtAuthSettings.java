package io.gloo.plugins.extauth.translate;

import io.gloo.plugins.extauth.model.HostPorts;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plugin configuration the translation needs: where Envoy reaches our ext-auth service ({@code serviceAddress},
 * default {@code 127.0.0.1:8083}) and the user's own ext_authz servers ({@code customAuthServers.<name>=host:port};
 * {@code customAuth} without a name uses {@code customAuthServers.default}), and the optional TLS mode ({@code tls}:
 * our service requires mutual TLS and the {@code ext_authz} cluster presents the proxy's certificate from
 * {@code tls.certDir}, default {@value io.gloo.plugins.common.ServiceTls#DEFAULT_CERT_DIR}). Immutable.
 */
public record ExtAuthSettings(String serviceAddress, Map<String, String> customAuthServers, boolean tls,
    String tlsCertDir) {

  public static final String DEFAULT_SERVICE_ADDRESS = "127.0.0.1:8083";
  public static final ExtAuthSettings DEFAULTS = new ExtAuthSettings(DEFAULT_SERVICE_ADDRESS, Map.of(), false,
      io.gloo.plugins.common.ServiceTls.DEFAULT_CERT_DIR);

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
    String tls = config.getOrDefault("tls", "false").trim();
    if (!tls.equals("true") && !tls.equals("false")) {
      throw new IllegalArgumentException("tls must be true or false, got '" + tls + "'");
    }
    return new ExtAuthSettings(address, custom, tls.equals("true"),
        config.getOrDefault("tls.certDir", io.gloo.plugins.common.ServiceTls.DEFAULT_CERT_DIR));
  }
}
