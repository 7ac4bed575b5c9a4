package io.gloo.core.translate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The breaker's rules alone, on a clock the test moves (HungPluginTest runs them through translations). */
class PluginBreakerTest {

  private final HungPluginTest.TestClock clock = new HungPluginTest.TestClock();
  private final ClassLoader loader = getClass().getClassLoader();
  private final PluginBreaker breaker = new PluginBreaker("p", loader,
      new PluginBreaker.Policy(2, Duration.ofSeconds(60), Duration.ofSeconds(30), 2), clock);

  @Test
  void timeoutsOutsideTheWindowDoNotAddUp() {
    assertFalse(breaker.timedOut());
    clock.now = clock.now.plusSeconds(61);
    assertFalse(breaker.timedOut(), "the first timeout is out of the window");
    assertTrue(breaker.timedOut(), "two within the window open it");
    assertEquals("circuit-open", breaker.admit().reason());
  }

  @Test
  void anOpenCircuitLetsOneTrialThroughAfterOpenForAndAnAnswerClosesIt() {
    breaker.timedOut();
    breaker.timedOut();
    clock.now = clock.now.plusSeconds(29);
    assertNotNull(breaker.admit(), "still open");
    clock.now = clock.now.plusSeconds(2);
    assertNull(breaker.admit(), "the trial call");
    assertEquals("circuit-open", breaker.admit().reason(), "only one trial at a time");
    breaker.answered();
    assertNull(breaker.admit());
    assertEquals("closed", breaker.view().state());
    assertTrue(breaker.timedOut(), "on probation: one timeout reopens it");
  }

  @Test
  void aSuspectPluginGetsAQuarterOfTheTimeoutUntilItsLateCallReturns() {
    Duration normal = Duration.ofSeconds(2);
    assertEquals(normal, breaker.timeoutFor(normal));
    breaker.threadStarted();
    breaker.timedOut(); // its thread is still running
    assertEquals(Duration.ofMillis(500), breaker.timeoutFor(normal));
    breaker.threadReturned(); // it was only slow
    assertEquals(normal, breaker.timeoutFor(normal));
  }

  @Test
  void noCallStartsWhileThePluginHoldsMaxThreads() {
    breaker.threadStarted();
    breaker.threadStarted();
    assertEquals("threads-exhausted", breaker.admit().reason());
    breaker.threadReturned();
    assertNull(breaker.admit());
  }

  @Test
  void aReloadedPluginGetsAFreshBreaker() {
    assertTrue(breaker.belongsTo(loader));
    assertFalse(breaker.belongsTo(new ClassLoader(loader) {}));
  }
}
