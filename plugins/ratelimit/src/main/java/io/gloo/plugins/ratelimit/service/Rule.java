package io.gloo.plugins.ratelimit.service;

import com.google.errorprone.annotations.Immutable;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.RateLimit;
import io.gloo.plugins.ratelimit.config.RateLimitValue.Unit;

/**
 * One compiled server-side rule: where it comes from ({@code domain}, {@code id}: the path of the descriptor tree
 * node, e.g. {@code type=Whatsapp/number}, or {@code set[0]}), its limit, and how it competes with other rules.
 *
 * @param unit null only when {@code unlimited}
 * @param weight rules matched by one request in one domain: only those of the highest weight are applied
 * @param alwaysApply applied whatever the weights
 * @param shadow counted and reported, never limits
 * @param currentLimit what a response reports as this rule's {@code current_limit} (null when {@code unlimited}):
 *     built once per rule rather than once per descriptor per request
 * @param keyPrefix the start of its counters' keys (domain and id), likewise built once
 */
@Immutable
public record Rule(String domain, String id, Unit unit, long requestsPerUnit, boolean unlimited, boolean shadow,
    int weight, boolean alwaysApply, RateLimit currentLimit, String keyPrefix) {

  public Rule(String domain, String id, Unit unit, long requestsPerUnit, boolean unlimited, boolean shadow,
      int weight, boolean alwaysApply) {
    this(domain, id, unit, requestsPerUnit, unlimited, shadow, weight, alwaysApply,
        unlimited ? null : RateLimit.newBuilder()
            .setName(domain + "/" + id)
            .setRequestsPerUnit((int) requestsPerUnit)
            .setUnit(RateLimit.Unit.valueOf(unit.name()))
            .build(),
        keyPrefix(domain, id));
  }

  /** The start of the counter keys of rule {@code id} in {@code domain}; unique per rule. */
  static String keyPrefix(String domain, String id) {
    return domain + '\u001f' + id + '\u001f';
  }

  /** The window (in milliseconds since the epoch) {@code nowMillis} falls in starts here. */
  long windowStart(long nowMillis) {
    long length = unit.seconds() * 1000;
    return Math.floorDiv(nowMillis, length) * length;
  }

  long windowMillis() {
    return unit.seconds() * 1000;
  }
}
