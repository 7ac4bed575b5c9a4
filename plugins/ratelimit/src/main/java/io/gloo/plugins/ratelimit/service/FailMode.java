package io.gloo.plugins.ratelimit.service;

import java.util.Locale;

/** What the service answers while its counter store is unreachable. */
public enum FailMode {
  /** Every request is allowed (Gloo's behaviour with deny-on-failure off): availability over enforcement. */
  OPEN,
  /** Every request that a limit applies to is limited: enforcement over availability. */
  CLOSED;

  public static FailMode parse(String text) {
    return valueOf(text.trim().toUpperCase(Locale.ROOT));
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
