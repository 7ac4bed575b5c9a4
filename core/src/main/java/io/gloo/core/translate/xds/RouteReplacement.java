package io.gloo.core.translate.xds;

import java.util.Locale;

/**
 * What becomes of a route Envoy would reject ({@code --route-replacement}); either way the rest of the Gateway's
 * configuration is published and the route's status says which rule was dropped and why.
 */
public enum RouteReplacement {

  /**
   * The default: the route keeps its match and answers 500 ({@code direct_response}), so its requests do not fall
   * through to a less specific route. A route whose match itself is invalid cannot be kept and is dropped.
   */
  STANDARD,

  /** The route is dropped: its requests fall through to whatever route matches next (kgateway's STRICT). */
  STRICT;

  /** {@code standard} or {@code strict}, case-insensitive. */
  public static RouteReplacement parse(String value) {
    for (RouteReplacement mode : values()) {
      if (mode.name().equalsIgnoreCase(value.trim())) {
        return mode;
      }
    }
    throw new IllegalArgumentException("route replacement must be 'standard' or 'strict', not '" + value + "'");
  }

  /** The flag's spelling. */
  public String flagValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
