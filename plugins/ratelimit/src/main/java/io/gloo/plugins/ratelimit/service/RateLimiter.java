package io.gloo.plugins.ratelimit.service;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.protobuf.Duration;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.DescriptorStatus;
import io.gloo.plugins.ratelimit.config.RateLimitValue;
import io.gloo.plugins.ratelimit.service.RateLimitMetrics.Outcome;
import io.gloo.plugins.ratelimit.store.CounterStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * The decision behind {@code ShouldRateLimit}, with the semantics of Envoy's reference rate-limit service plus Gloo's
 * set-style rules and rule priority:
 *
 * <ol>
 *   <li>each request descriptor is matched in its domain (see {@link RuleSet}): tree descriptors against the
 *       descriptor tree (most specific node), set-style ones against the set rules;
 *   <li>per domain, of the rules matched by all of a request's descriptors, only those of the highest {@code weight}
 *       apply, plus every {@code alwaysApply} rule (which does not take part in the contest); the others are neither
 *       counted nor reported;
 *   <li>each applied rule's counter for the current fixed window (aligned to the unit: second, minute, hour, day) is
 *       incremented by the hits ({@code hits_addend} of the descriptor, else of the request, else 1), all in one
 *       store call; a rule is over its limit when its counter exceeds {@code requests_per_unit} after the increment;
 *   <li>each descriptor gets a status: {@code OVER_LIMIT} if any of its non-shadow rules is over, else {@code OK};
 *       with the most restrictive rule's {@code current_limit}, {@code limit_remaining} and
 *       {@code duration_until_reset}. An {@code unlimited} rule answers OK with {@code limit_remaining} 2^32-1 (as the
 *       reference service does). A shadow rule is counted and reported (metrics, recent decisions) but its status is
 *       OK;
 *   <li>the overall code is {@code OVER_LIMIT} if any descriptor is; optional {@code x-ratelimit-limit},
 *       {@code -remaining}, {@code -reset} response headers describe the most restrictive enforced rule.
 * </ol>
 *
 * A descriptor whose first entry is a config selector ({@link RuleSet#CONFIG_KEY}) that the control plane did not
 * sign ({@link ConfigGrants}) is ignored (answered OK, counted nowhere, {@code ratelimit.selector.rejected}).
 *
 * <p>The counter of a rule is identified by domain, rule path, the descriptor's values and the window start: counters
 * of rules that did not change survive a rules update.
 */
@ThreadSafe
public final class RateLimiter {

  static final String HEADER_LIMIT = "x-ratelimit-limit";
  static final String HEADER_REMAINING = "x-ratelimit-remaining";
  static final String HEADER_RESET = "x-ratelimit-reset";
  /** What the reference service reports as remaining for an unlimited rule (uint32 max). */
  static final int UNLIMITED_REMAINING = -1;

  private final CounterStore store;
  private final Clock clock;
  private final boolean responseHeaders;
  private final FailMode failMode;
  private final RateLimitMetrics metrics;
  private final RecentDecisions recent;
  private final Logger log;
  private final AtomicBoolean storeFailing = new AtomicBoolean();
  private volatile RuleSet rules = RuleSet.empty();

  public RateLimiter(CounterStore store, Clock clock, boolean responseHeaders, FailMode failMode,
      RateLimitMetrics metrics, RecentDecisions recent, Logger log) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.responseHeaders = responseHeaders;
    this.failMode = Objects.requireNonNull(failMode, "failMode");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.recent = Objects.requireNonNull(recent, "recent");
    this.log = Objects.requireNonNull(log, "log");
  }

  /** Replaces every rule at once; requests in flight finish with the rules they started with. */
  public void update(RuleSet next) {
    rules = Objects.requireNonNull(next, "rules");
  }

  public RuleSet rules() {
    return rules;
  }

  public RateLimitMetrics metrics() {
    return metrics;
  }

  public RecentDecisions recent() {
    return recent;
  }

  /** One rule applied to one descriptor; {@code key} is null for unlimited rules (nothing to count). */
  private record Applied(int descriptor, Rule rule, String key, long hits, long windowEnd) {}

  /**
   * A descriptor's {@code hits_addend} (a uint64) as a count that cannot overflow a counter: at most 2^32, which
   * exceeds every limit ({@code requests_per_unit} is a uint32), so the decision is the same as with the value sent.
   */
  static long hits(long unsignedHits) {
    return unsignedHits < 0 || unsignedHits > MAX_HITS ? MAX_HITS : unsignedHits;
  }

  /** The most hits one descriptor of one request counts (see {@link #hits}). */
  static final long MAX_HITS = 1L << 32;

  public CompletionStage<RateLimitResponse> check(RateLimitRequest request) {
    long started = System.nanoTime();
    RuleSet current = rules;
    long now = clock.millis();
    // hits_addend is a uint32: read as signed, a value of 2^31 or more would take hits away and lift the limit
    long requestHits = request.getHitsAddend() == 0 ? 1 : Integer.toUnsignedLong(request.getHitsAddend());
    List<Applied> applied = new ArrayList<>(request.getDescriptorsCount());
    for (int i = 0; i < request.getDescriptorsCount(); i++) {
      match(current, request.getDomain(), i, request.getDescriptors(i), requestHits, now, applied);
    }
    List<Applied> winners = byPriority(applied);
    int counted = 0;
    for (Applied a : winners) {
      if (a.key != null) {
        counted++;
      }
    }
    if (counted == 0) {
      RateLimitResponse response = respond(request, winners, null, now);
      metrics.decided(System.nanoTime() - started);
      return CompletableFuture.completedFuture(response);
    }
    String[] keys = new String[counted];
    long[] hits = new long[counted];
    long[] expireAt = new long[counted];
    int k = 0;
    for (Applied a : winners) {
      if (a.key != null) {
        keys[k] = a.key;
        hits[k] = a.hits;
        expireAt[k] = a.windowEnd;
        k++;
      }
    }
    CompletionStage<long[]> counts;
    long storeCalled = System.nanoTime();
    try {
      counts = store.increment(keys, hits, expireAt);
    } catch (RuntimeException e) {
      counts = CompletableFuture.failedFuture(e);
    }
    return counts.handle((values, error) -> {
      long stored = System.nanoTime();
      metrics.stored(error == null, stored - storeCalled);
      RateLimitResponse response;
      if (error != null) {
        storeFailed(error);
        response = failed(request, winners, now);
      } else {
        storeRecovered();
        response = respond(request, winners, values, now);
      }
      metrics.decided(System.nanoTime() - started);
      return response;
    });
  }

  private void match(RuleSet current, String requestDomain, int index, RateLimitDescriptor descriptor,
      long requestHits, long now, List<Applied> out) {
    List<RateLimitDescriptor.Entry> entries = descriptor.getEntriesList();
    String domain = requestDomain;
    int from = 0;
    if (!entries.isEmpty() && entries.get(0).getKey().equals(RuleSet.CONFIG_KEY)) {
      domain = current.grantedDomain(entries.get(0).getValue());
      if (domain == null) {
        // not signed by the control plane: forged (e.g. typed into another namespace's inline actions) or from a
        // key this service no longer has; it must not reach any config's counters
        metrics.rejectedSelector();
        if (log.isDebugEnabled()) {
          log.debug("descriptor {} of a request has a config selector the control plane did not sign: ignored",
              index);
        }
        return;
      }
      from = 1;
    }
    boolean setStyle = false;
    if (from < entries.size() && isSetMarker(entries.get(from))) {
      setStyle = true;
      from++;
    }
    long hits = descriptor.hasHitsAddend() ? hits(descriptor.getHitsAddend().getValue()) : requestHits;
    if (descriptor.hasLimit()) {
      // Envoy's per-descriptor limit override (from the route's dynamic metadata) replaces the configured rule
      RateLimitValue.Unit unit = RateLimitValue.Unit.parse(descriptor.getLimit().getUnit().name());
      if (unit != null) {
        Rule rule = new Rule(domain, "override", unit, descriptor.getLimit().getRequestsPerUnit(), false, false, 0,
            true);
        out.add(applied(index, rule, entries, from, null, hits, now));
        return;
      }
    }
    DomainRules rulesOfDomain = current.domain(domain);
    if (rulesOfDomain == null || from >= entries.size()) {
      return;
    }
    if (setStyle) {
      List<String> values = new ArrayList<>(2);
      List<Rule> matched = rulesOfDomain.matchSet(entries, from, values);
      for (int r = 0; r < matched.size(); r++) {
        out.add(applied(index, matched.get(r), entries, from, values.get(r), hits, now));
      }
    } else {
      Rule rule = rulesOfDomain.matchTree(entries, from);
      if (rule != null) {
        out.add(applied(index, rule, entries, from, null, hits, now));
      }
    }
  }

  private static boolean isSetMarker(RateLimitDescriptor.Entry e) {
    return (e.getKey().equals(RuleSet.SET_KEY) && e.getValue().equals(RuleSet.SET_VALUE))
        || (e.getKey().equals(RuleSet.GLOO_SET_KEY) && e.getValue().equals(RuleSet.GLOO_SET_VALUE));
  }

  /**
   * The rule applied to entries {@code from..} of a descriptor, with its counter's key: the rule's prefix (domain and
   * id), the descriptor's keys and values ({@code setValues} for a set-style rule, which counts only the entries it
   * names), the unit and the window's start. Built in one buffer, the window part shared by every request of the
   * window ({@link #windowSuffix}).
   */
  private Applied applied(int descriptor, Rule rule, List<RateLimitDescriptor.Entry> entries, int from,
      String setValues, long hits, long now) {
    if (rule.unlimited()) {
      return new Applied(descriptor, rule, null, hits, 0);
    }
    long start = rule.windowStart(now);
    StringBuilder key = new StringBuilder(rule.keyPrefix().length() + 48).append(rule.keyPrefix());
    if (setValues != null) {
      key.append(setValues);
    } else {
      for (int i = from; i < entries.size(); i++) {
        key.append(entries.get(i).getKey()).append('=').append(entries.get(i).getValue()).append('\u001e');
      }
    }
    key.append(windowSuffix(rule.unit(), start));
    return new Applied(descriptor, rule, key.toString(), hits, start + rule.windowMillis());
  }

  /** The end of a counter key for a window: unit letter and start, e.g. {@code \u001fM1765152000000}. */
  private record WindowSuffix(long start, String text) {}

  /** Per unit, the suffix of the current window: formatted once per window instead of once per counter. */
  private final WindowSuffix[] windowSuffixes = new WindowSuffix[RateLimitValue.Unit.values().length];

  private String windowSuffix(RateLimitValue.Unit unit, long start) {
    WindowSuffix cached = windowSuffixes[unit.ordinal()]; // a benign race: each thread sees a complete record
    if (cached == null || cached.start != start) {
      cached = new WindowSuffix(start, "\u001f" + unit.name().charAt(0) + start);
      windowSuffixes[unit.ordinal()] = cached;
    }
    return cached.text;
  }

  /** Per domain: the rules of the highest weight among those without alwaysApply, and every alwaysApply rule. */
  private static List<Applied> byPriority(List<Applied> applied) {
    if (applied.size() < 2) {
      return applied;
    }
    // the common case, one domain: no map, and no new list when every rule has the highest weight
    String domain = null;
    int max = Integer.MIN_VALUE;
    int min = Integer.MAX_VALUE;
    boolean oneDomain = true;
    for (int i = 0; i < applied.size() && oneDomain; i++) {
      Rule rule = applied.get(i).rule;
      if (!rule.alwaysApply()) {
        oneDomain = domain == null || domain.equals(rule.domain());
        domain = rule.domain();
        max = Math.max(max, rule.weight());
        min = Math.min(min, rule.weight());
      }
    }
    if (oneDomain) {
      if (min >= max) {
        return applied;
      }
      List<Applied> out = new ArrayList<>(applied.size());
      for (Applied a : applied) {
        if (a.rule.alwaysApply() || a.rule.weight() >= max) {
          out.add(a);
        }
      }
      return out;
    }
    Map<String, Integer> maxWeight = new HashMap<>();
    for (Applied a : applied) {
      if (!a.rule.alwaysApply()) {
        maxWeight.merge(a.rule.domain(), a.rule.weight(), Math::max);
      }
    }
    List<Applied> out = new ArrayList<>(applied.size());
    for (Applied a : applied) {
      if (a.rule.alwaysApply() || a.rule.weight() >= maxWeight.get(a.rule.domain())) {
        out.add(a);
      }
    }
    return out;
  }

  private RateLimitResponse respond(RateLimitRequest request, List<Applied> winners, long[] values, long now) {
    DescriptorStatus[] statuses = new DescriptorStatus[request.getDescriptorsCount()];
    boolean[] enforced = new boolean[statuses.length];
    int v = 0;
    for (Applied a : winners) {
      DescriptorStatus status;
      boolean enforcing = false;
      if (a.key == null) {
        status = DescriptorStatus.newBuilder().setCode(Code.OK).setLimitRemaining(UNLIMITED_REMAINING).build();
      } else {
        long count = values[v++];
        long limit = a.rule.requestsPerUnit();
        boolean over = count > limit;
        Code code = over && !a.rule.shadow() ? Code.OVER_LIMIT : Code.OK;
        status = DescriptorStatus.newBuilder()
            .setCode(code)
            .setCurrentLimit(a.rule.currentLimit())
            .setLimitRemaining((int) Math.max(0, Math.min(limit - count, 0xFFFF_FFFFL)))
            .setDurationUntilReset(millis(a.windowEnd - now))
            .build();
        enforcing = !a.rule.shadow();
        record(a, count, over, now);
      }
      int d = a.descriptor;
      if (statuses[d] == null || moreRestrictive(status, enforcing, statuses[d], enforced[d])) {
        statuses[d] = status;
        enforced[d] = enforcing;
      }
    }
    return response(statuses, enforced);
  }

  /** OVER_LIMIT beats OK; then an enforced limit beats shadow or unlimited; then the smaller remaining. */
  private static boolean moreRestrictive(DescriptorStatus s, boolean enforced, DescriptorStatus than,
      boolean thanEnforced) {
    if (s.getCode() != than.getCode()) {
      return s.getCode() == Code.OVER_LIMIT;
    }
    if (enforced != thanEnforced) {
      return enforced;
    }
    return Integer.toUnsignedLong(s.getLimitRemaining()) < Integer.toUnsignedLong(than.getLimitRemaining());
  }

  private void record(Applied a, long count, boolean over, long now) {
    Outcome outcome = !over ? Outcome.ALLOWED : a.rule.shadow() ? Outcome.SHADOW_LIMITED : Outcome.LIMITED;
    metrics.record(a.rule, outcome);
    if (over) {
      recent.add(new RecentDecisions.Decision(now, a.rule.domain(), a.rule.id(), a.rule.requestsPerUnit(),
          a.rule.unit().name(), count, a.rule.shadow()));
      if (log.isDebugEnabled()) {
        log.debug("{}: domain {} rule {} at {} of {} per {}", a.rule.shadow() ? "shadow-limited" : "limited",
            a.rule.domain(), a.rule.id(), count, a.rule.requestsPerUnit(), a.rule.unit());
      }
    }
  }

  /** The store failed: fail open (all OK) or closed (every enforced, counted rule over its limit). */
  private RateLimitResponse failed(RateLimitRequest request, List<Applied> winners, long now) {
    metrics.storeError(failMode);
    DescriptorStatus[] statuses = new DescriptorStatus[request.getDescriptorsCount()];
    boolean[] enforced = new boolean[statuses.length];
    for (Applied a : winners) {
      if (a.key == null) {
        continue;
      }
      metrics.record(a.rule, Outcome.ERRORS);
      if (failMode == FailMode.CLOSED && !a.rule.shadow()) {
        statuses[a.descriptor] = DescriptorStatus.newBuilder().setCode(Code.OVER_LIMIT)
            .setCurrentLimit(a.rule.currentLimit()).setDurationUntilReset(millis(a.windowEnd - now)).build();
        enforced[a.descriptor] = true;
      }
    }
    return response(statuses, enforced);
  }

  private RateLimitResponse response(DescriptorStatus[] statuses, boolean[] enforced) {
    RateLimitResponse.Builder response = RateLimitResponse.newBuilder().setOverallCode(Code.OK);
    DescriptorStatus tightest = null;
    for (int d = 0; d < statuses.length; d++) {
      DescriptorStatus s = statuses[d] == null ? OK : statuses[d];
      response.addStatuses(s);
      if (s.getCode() == Code.OVER_LIMIT) {
        response.setOverallCode(Code.OVER_LIMIT);
      }
      if (enforced[d] && s.hasCurrentLimit()
          && (tightest == null || moreRestrictive(s, true, tightest, true))) {
        tightest = s;
      }
    }
    if (responseHeaders && tightest != null) {
      long resetSeconds = (tightest.getDurationUntilReset().getSeconds()
          + (tightest.getDurationUntilReset().getNanos() > 0 ? 1 : 0));
      response.addResponseHeadersToAdd(header(HEADER_LIMIT,
          Integer.toUnsignedString(tightest.getCurrentLimit().getRequestsPerUnit())));
      response.addResponseHeadersToAdd(header(HEADER_REMAINING,
          Integer.toUnsignedString(tightest.getLimitRemaining())));
      response.addResponseHeadersToAdd(header(HEADER_RESET, Long.toString(resetSeconds)));
    }
    return response.build();
  }

  private static final DescriptorStatus OK = DescriptorStatus.newBuilder().setCode(Code.OK).build();

  private static HeaderValue header(String name, String value) {
    return HeaderValue.newBuilder().setKey(name).setValue(value).build();
  }

  private static Duration millis(long ms) {
    long clamped = Math.max(0, ms);
    return Duration.newBuilder().setSeconds(clamped / 1000).setNanos((int) (clamped % 1000) * 1_000_000).build();
  }

  private void storeFailed(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (storeFailing.compareAndSet(false, true)) {
      log.warn("rate-limit counter store '{}' is unavailable ({}): answering fail-{}: {}", store.name(),
          cause.getMessage(), failMode.label(), failMode == FailMode.OPEN
              ? "requests are allowed until it returns" : "requests under a limit are limited until it returns");
    }
  }

  private void storeRecovered() {
    if (storeFailing.get() && storeFailing.compareAndSet(true, false)) {
      log.info("rate-limit counter store '{}' is available again: counting resumes", store.name());
    }
  }
}
