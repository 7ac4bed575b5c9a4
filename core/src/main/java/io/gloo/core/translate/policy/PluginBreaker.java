package io.gloo.core.translate.policy;

import com.google.errorprone.annotations.ThreadSafe;
import java.lang.ref.WeakReference;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One plugin's circuit breaker, so that a plugin that hangs costs a translation a few timeouts rather than one per
 * route: after {@link Policy#tripAfter} timeouts within {@link Policy#window} the circuit opens and calls into the
 * plugin fail at once, without running it; after {@link Policy#openFor} one trial call is let through (half-open),
 * which closes the circuit if the plugin answers (even with an exception: it is not hung) and reopens it if it
 * times out; for a {@link Policy#window} after such a close, a single timeout reopens it (the trial may have been a
 * cheap call, such as binding a spec, while the hang is in a translator). It also bounds the threads the plugin holds: a call that timed out cannot be stopped (Java cannot kill
 * a busy thread), so its thread stays the plugin's until it returns, and once {@link Policy#maxThreads} are held no
 * new call is started. Thread-safe: every transition is synchronized on the breaker.
 */
@ThreadSafe
public final class PluginBreaker {

  /**
   * When a plugin's circuit opens and how it recovers.
   *
   * @param tripAfter timeouts within {@code window} that open the circuit
   * @param openFor how long it stays open before a trial call
   * @param maxThreads threads the plugin may hold at once (calls running, including those abandoned after a timeout)
   */
  public record Policy(int tripAfter, Duration window, Duration openFor, int maxThreads) {
    /** 2 timeouts within a minute open the circuit for 30 s; at most 4 threads per plugin. */
    public static final Policy DEFAULT = new Policy(2, Duration.ofMinutes(1), Duration.ofSeconds(30), 4);

    public Policy {
      if (tripAfter < 1 || maxThreads < 1 || window.isNegative() || openFor.isNegative()) {
        throw new IllegalArgumentException("tripAfter and maxThreads must be at least 1, durations not negative");
      }
    }
  }

  /** What {@code /statuses} shows of a plugin's breaker. */
  public record View(String pluginId, String state, int recentTimeouts, int threadsHeld, Instant openUntil,
      String reason) {}

  enum State { CLOSED, OPEN, HALF_OPEN }

  private final String pluginId;
  /** The plugin instance it belongs to: a reloaded plugin starts with a closed circuit. Weak: never pins a loader. */
  private final WeakReference<ClassLoader> loader;
  private final Policy policy;
  private final Clock clock;
  private final Deque<Instant> timeouts = new ArrayDeque<>();
  /** Calls whose thread has not returned yet, abandoned ones included. */
  private final AtomicInteger threadsHeld = new AtomicInteger();
  private State state = State.CLOSED;
  private Instant openUntil;
  private boolean trialRunning;
  private String reason;
  /** When a trial call last closed the circuit: a timeout within the window after it reopens it at once. */
  private Instant probationSince;

  PluginBreaker(String pluginId, ClassLoader loader, Policy policy, Clock clock) {
    this.pluginId = pluginId;
    this.loader = new WeakReference<>(loader);
    this.policy = policy;
    this.clock = clock;
  }

  boolean belongsTo(ClassLoader candidate) {
    return loader.get() == candidate;
  }

  /**
   * The time limit for the next call: {@code normal}, or a quarter of it while the plugin is suspect (a call timed
   * out within the window and its thread has still not returned). A healthy translator call takes microseconds; a
   * hung plugin then costs one full timeout and one short one before its circuit opens, while a plugin that was
   * only stalled once (its late call returned) keeps the full limit.
   */
  synchronized Duration timeoutFor(Duration normal) {
    boolean suspect = state == State.CLOSED && !timeouts.isEmpty() && threadsHeld.get() > 0;
    return suspect ? normal.dividedBy(4) : normal;
  }

  /** Null if a call may start now (then {@link #threadStarted} follows), else why it must not. */
  synchronized Refusal admit() {
    if (threadsHeld.get() >= policy.maxThreads()) {
      return new Refusal("threads-exhausted", "holds " + threadsHeld.get() + " threads that have not returned (limit "
          + policy.maxThreads() + "); not called");
    }
    switch (state) {
      case CLOSED -> {
        return null;
      }
      case OPEN -> {
        if (clock.instant().isBefore(openUntil)) {
          return new Refusal("circuit-open", "circuit open (" + reason + ") until " + openUntil + "; not called");
        }
        state = State.HALF_OPEN;
        trialRunning = true;
        return null;
      }
      default -> {
        if (trialRunning) {
          return new Refusal("circuit-open", "circuit half-open (" + reason + "), a trial call is running; not called");
        }
        trialRunning = true;
        return null;
      }
    }
  }

  /** Why a call was not started: {@code reason} for metrics, {@code message} for statuses. */
  record Refusal(String reason, String message) {}

  void threadStarted() {
    threadsHeld.incrementAndGet();
  }

  void threadReturned() {
    threadsHeld.decrementAndGet();
  }

  /** The plugin answered (returned or threw): a half-open circuit closes. */
  synchronized void answered() {
    if (state == State.HALF_OPEN) {
      state = State.CLOSED;
      timeouts.clear();
      reason = null;
      probationSince = clock.instant();
    }
    trialRunning = false;
  }

  /** A call timed out; returns true if this opened the circuit. */
  synchronized boolean timedOut() {
    Instant now = clock.instant();
    trialRunning = false;
    if (state == State.HALF_OPEN) {
      open(now, "the trial call timed out");
      return true;
    }
    if (state == State.OPEN) {
      return false;
    }
    if (probationSince != null && !now.isAfter(probationSince.plus(policy.window()))) {
      open(now, "timed out again after a trial call answered");
      return true;
    }
    timeouts.addLast(now);
    while (!timeouts.isEmpty() && timeouts.peekFirst().isBefore(now.minus(policy.window()))) {
      timeouts.removeFirst();
    }
    if (timeouts.size() >= policy.tripAfter()) {
      open(now, timeouts.size() + " calls timed out within " + policy.window().toSeconds() + " s");
      return true;
    }
    return false;
  }

  private void open(Instant now, String why) {
    state = State.OPEN;
    openUntil = now.plus(policy.openFor());
    reason = why;
    timeouts.clear();
    probationSince = null;
  }

  synchronized boolean isOpen() {
    return state != State.CLOSED;
  }

  synchronized View view() {
    return new View(pluginId, state.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), timeouts.size(),
        threadsHeld.get(), state == State.CLOSED ? null : openUntil, reason);
  }
}
