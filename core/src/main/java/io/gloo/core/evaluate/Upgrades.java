package io.gloo.core.evaluate;

import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.util.Locale;

/**
 * Envoy's decision on an HTTP/1.1 upgrade request ({@code Connection: upgrade} with {@code Upgrade: <type>}, e.g. a
 * WebSocket handshake), as {@code FilterChainUtility::createUpgradeFilterChain} makes it: the route's
 * {@code upgrade_configs} entry for the type decides when it has one (enabled unless {@code enabled: false}); else
 * the connection manager's {@code upgrade_configs} entry (likewise). An upgrade neither allows is answered 403 by the
 * connection manager ({@code upgrade_failed}). Stateless.
 */
final class Upgrades {

  private Upgrades() {}

  /** The upgrade type the request asks for: its {@code Upgrade} header when {@code Connection} lists upgrade. */
  static String requested(HeaderMap headers) {
    String connection = headers.getJoined("connection");
    String upgrade = headers.get("upgrade");
    if (connection == null || upgrade == null || upgrade.isBlank()) {
      return null;
    }
    for (String token : connection.split(",")) {
      if (token.trim().equalsIgnoreCase("upgrade")) {
        return upgrade.trim();
      }
    }
    return null;
  }

  /** Whether Envoy lets an upgrade of {@code type} through; {@code action} is null for a route without one. */
  static boolean allowed(String type, HttpConnectionManager hcm, RouteAction action) {
    if (action != null) {
      for (RouteAction.UpgradeConfig u : action.getUpgradeConfigsList()) {
        if (u.getUpgradeType().toLowerCase(Locale.ROOT).equals(type.toLowerCase(Locale.ROOT))) {
          return !u.hasEnabled() || u.getEnabled().getValue();
        }
      }
    }
    for (HttpConnectionManager.UpgradeConfig u : hcm.getUpgradeConfigsList()) {
      if (u.getUpgradeType().toLowerCase(Locale.ROOT).equals(type.toLowerCase(Locale.ROOT))) {
        return !u.hasEnabled() || u.getEnabled().getValue();
      }
    }
    return false;
  }
}
