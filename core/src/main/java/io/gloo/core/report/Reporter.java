package io.gloo.core.report;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.SourceProblem;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Keeps the current status of every processed resource: the translator's statuses, overlaid with what only the
 * running system knows (a proxy NACKed a Gateway's config, a snapshot failed its consistency check), with
 * {@code lastTransitionTime} kept across unchanged conditions. Tells listeners which resources' statuses changed, so
 * a status writer does O(changed) work.
 */
@ThreadSafe
public final class Reporter {

  private final Clock clock;
  private final List<Consumer<Set<ResourceKey>>> listeners = new CopyOnWriteArrayList<>();

  @GuardedBy("this")
  private Map<ResourceKey, Object> translated = Map.of();
  @GuardedBy("this")
  private Map<ResourceKey, List<String>> xdsErrors = Map.of();
  @GuardedBy("this")
  private Map<ResourceKey, List<GatewayStatusAddress>> addresses = Map.of();
  @GuardedBy("this")
  private Map<ResourceKey, Object> current = Map.of();
  @GuardedBy("this")
  private List<SourceProblem> problems = List.of();

  public Reporter() {
    this(Clock.systemUTC());
  }

  public Reporter(Clock clock) {
    this.clock = clock;
  }

  /** Called with every translation's statuses and the source problems of the snapshot it read. */
  public void translated(StatusReport report, List<SourceProblem> sourceProblems) {
    Set<ResourceKey> changed;
    synchronized (this) {
      translated = report.statuses();
      problems = List.copyOf(sourceProblems);
      changed = recompute();
    }
    notifyChanged(changed);
  }

  /**
   * Replaces the per-Gateway errors that the running system found in the served config (NACKs, inconsistent
   * snapshots); an empty map clears them.
   */
  public void xdsErrors(Map<ResourceKey, List<String>> errors) {
    Set<ResourceKey> changed;
    synchronized (this) {
      if (errors.equals(xdsErrors)) {
        return;
      }
      xdsErrors = Map.copyOf(errors);
      changed = recompute();
    }
    notifyChanged(changed);
  }

  /**
   * Replaces the Gateways' {@code status.addresses}: where their provisioned proxies are reachable (from the
   * proxy Service, see {@code ProxyProvisioner}). A Gateway absent from the map gets the translator's addresses.
   */
  public void gatewayAddresses(Map<ResourceKey, List<GatewayStatusAddress>> byGateway) {
    Set<ResourceKey> changed;
    synchronized (this) {
      if (byGateway.equals(addresses)) {
        return;
      }
      addresses = Map.copyOf(byGateway);
      changed = recompute();
    }
    notifyChanged(changed);
  }

  /** Every current status, by resource. */
  public synchronized Map<ResourceKey, Object> statuses() {
    return current;
  }

  public synchronized List<SourceProblem> sourceProblems() {
    return problems;
  }

  /** Registers a listener told, after each change, which resources' statuses changed (or disappeared). */
  public void onChange(Consumer<Set<ResourceKey>> listener) {
    listeners.add(listener);
  }

  @GuardedBy("this")
  private Set<ResourceKey> recompute() {
    String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    Map<ResourceKey, Object> next = new TreeMap<>();
    for (Map.Entry<ResourceKey, Object> e : translated.entrySet()) {
      Object status = e.getValue();
      List<String> errors = xdsErrors.get(e.getKey());
      if (errors != null && !errors.isEmpty() && status instanceof GatewayStatus gs) {
        status = withXdsErrors(gs, errors);
      }
      List<GatewayStatusAddress> gatewayAddresses = addresses.get(e.getKey());
      if (gatewayAddresses != null && status instanceof GatewayStatus gs) {
        status = withAddresses(gs, gatewayAddresses);
      }
      ConditionTimes.stamp(status, current.get(e.getKey()), now);
      next.put(e.getKey(), status);
    }
    Set<ResourceKey> changed = new TreeSet<>();
    for (Map.Entry<ResourceKey, Object> e : next.entrySet()) {
      if (!Objects.equals(e.getValue(), current.get(e.getKey()))) {
        changed.add(e.getKey());
      }
    }
    for (ResourceKey gone : current.keySet()) {
      if (!next.containsKey(gone)) {
        changed.add(gone);
      }
    }
    current = java.util.Collections.unmodifiableMap(next);
    return changed;
  }

  /**
   * A copy of the Gateway status whose Programmed condition says why the proxy does not run this config (also used
   * by {@code gloo translate} for a snapshot the publisher would refuse).
   */
  public static GatewayStatus withXdsErrors(GatewayStatus status, List<String> errors) {
    List<Condition> conditions = new ArrayList<>();
    for (Condition c : status.getConditions()) {
      if ("Programmed".equals(c.getType())) {
        Condition p = new Condition();
        p.setType("Programmed");
        p.setStatus("False");
        p.setReason("Invalid");
        p.setMessage(String.join("; ", errors));
        p.setObservedGeneration(c.getObservedGeneration());
        conditions.add(p);
      } else {
        conditions.add(c);
      }
    }
    GatewayStatus copy = new GatewayStatus();
    copy.setAddresses(status.getAddresses());
    copy.setListeners(status.getListeners());
    copy.setAttachedListenerSets(status.getAttachedListenerSets());
    copy.setConditions(conditions);
    return copy;
  }

  private static GatewayStatus withAddresses(GatewayStatus status, List<GatewayStatusAddress> addresses) {
    GatewayStatus copy = new GatewayStatus();
    copy.setAddresses(addresses.isEmpty() ? null : List.copyOf(addresses));
    copy.setListeners(status.getListeners());
    copy.setAttachedListenerSets(status.getAttachedListenerSets());
    copy.setConditions(status.getConditions());
    return copy;
  }

  private void notifyChanged(Set<ResourceKey> changed) {
    if (changed.isEmpty()) {
      return;
    }
    for (Consumer<Set<ResourceKey>> l : listeners) {
      l.accept(changed);
    }
  }
}
