package io.gloo.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.gloo.core.store.ResourceKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ReporterTest {

  private static final ResourceKey GW = new ResourceKey("Gateway", "default", "gw");
  private static final ResourceKey OTHER = new ResourceKey("Gateway", "default", "other");

  /** A clock the test moves by hand. */
  private static final class ManualClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static GatewayStatus gateway(String programmed) {
    Condition accepted = new Condition(null, "ok", 1L, "Accepted", "True", "Accepted");
    Condition prog = new Condition(null, "ok", 1L, "Programmed", programmed, "Programmed");
    GatewayStatus s = new GatewayStatus();
    s.setConditions(new ArrayList<>(List.of(accepted, prog)));
    return s;
  }

  private static Condition condition(Object status, String type) {
    return ((GatewayStatus) status).getConditions().stream().filter(c -> c.getType().equals(type)).findFirst()
        .orElseThrow();
  }

  @Test
  void keepsTransitionTimeWhileAConditionDoesNotChange() {
    ManualClock clock = new ManualClock();
    Reporter reporter = new Reporter(clock);
    reporter.translated(new StatusReport(Map.of(GW, gateway("True"))), List.of());
    String first = condition(reporter.statuses().get(GW), "Programmed").getLastTransitionTime();

    clock.now = clock.now.plusSeconds(60);
    reporter.translated(new StatusReport(Map.of(GW, gateway("True"))), List.of());
    assertEquals(first, condition(reporter.statuses().get(GW), "Programmed").getLastTransitionTime());

    clock.now = clock.now.plusSeconds(60);
    reporter.translated(new StatusReport(Map.of(GW, gateway("False"))), List.of());
    assertNotEquals(first, condition(reporter.statuses().get(GW), "Programmed").getLastTransitionTime());
    assertEquals(first, condition(reporter.statuses().get(GW), "Accepted").getLastTransitionTime());
  }

  @Test
  void tellsListenersOnlyWhichStatusesChanged() {
    Reporter reporter = new Reporter(new ManualClock());
    AtomicReference<Set<ResourceKey>> changed = new AtomicReference<>(Set.of());
    reporter.onChange(changed::set);

    reporter.translated(new StatusReport(Map.of(GW, gateway("True"), OTHER, gateway("True"))), List.of());
    assertEquals(Set.of(GW, OTHER), changed.get());

    changed.set(Set.of());
    reporter.translated(new StatusReport(Map.of(GW, gateway("True"), OTHER, gateway("False"))), List.of());
    assertEquals(Set.of(OTHER), changed.get());

    changed.set(Set.of());
    reporter.translated(new StatusReport(Map.of(GW, gateway("True"), OTHER, gateway("False"))), List.of());
    assertEquals(Set.of(), changed.get(), "an identical translation changes nothing");

    reporter.translated(new StatusReport(Map.of(GW, gateway("True"))), List.of());
    assertEquals(Set.of(OTHER), changed.get(), "a resource that disappeared is a change");
  }

  @Test
  void xdsErrorsTurnProgrammedFalseUntilCleared() {
    Reporter reporter = new Reporter(new ManualClock());
    reporter.translated(new StatusReport(Map.of(GW, gateway("True"))), List.of());

    reporter.xdsErrors(Map.of(GW, List.of("proxy p1 rejected RouteConfiguration version v2: bad regex")));
    Condition programmed = condition(reporter.statuses().get(GW), "Programmed");
    assertEquals("False", programmed.getStatus());
    assertEquals("Invalid", programmed.getReason());
    assertTrue(programmed.getMessage().contains("bad regex"));

    reporter.xdsErrors(Map.of());
    assertEquals("True", condition(reporter.statuses().get(GW), "Programmed").getStatus());
  }
}
