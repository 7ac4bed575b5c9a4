package io.gloo.plugins.ratelimit.service;

import com.google.errorprone.annotations.Immutable;
import io.gloo.plugins.ratelimit.config.RateLimitValue.Unit;

/**
 * One compiled server-side rule: where it comes from ({@code domain}, {@code id}: the path of the descriptor tree
 * node, e.g. {@code type=Whatsapp/number}, or {@code set[0]}), its limit, and how it competes with other rules.
 *
 * @param unit null only when {@code unlimited}
 * @param weight rules matched by one request in one domain: only those of the highest weight are applied
 * @param alwaysApply applied whatever the weights
 * @param shadow counted and reported, never limits
 */
@Immutable
public record Rule(String domain, String id, Unit unit, long requestsPerUnit, boolean unlimited, boolean shadow,
    int weight, boolean alwaysApply) {

  /** The window (in milliseconds since the epoch) {@code nowMillis} falls in starts here. */
  long windowStart(long nowMillis) {
    long length = unit.seconds() * 1000;
    return Math.floorDiv(nowMillis, length) * length;
  }

  long windowMillis() {
    return unit.seconds() * 1000;
  }
}
