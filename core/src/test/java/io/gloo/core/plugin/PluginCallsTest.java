package io.gloo.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Lifecycle calls into plugins ({@code start}, {@code policyKinds}) are given up when they hang. */
class PluginCallsTest {

  @Test
  void aLifecycleCallThatHangsIsGivenUpWithAMessageNamingIt() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    PluginCalls.PluginCallException e = assertThrows(PluginCalls.PluginCallException.class,
        () -> PluginCalls.callWithin(getClass().getClassLoader(), Duration.ofMillis(200), "start()", () -> {
          never.await(); // interruptible: the abandoned thread ends when interrupted
          return null;
        }));
    assertEquals("start() did not return within 200 ms", e.getMessage());
  }

  @Test
  void aLifecycleCallRunsWithThePluginsClassLoaderAndReturnsOrThrowsAsItself() {
    ClassLoader loader = new ClassLoader(getClass().getClassLoader()) {};
    assertSame(loader, PluginCalls.callWithin(loader, Duration.ofSeconds(30), "policyKinds()",
        () -> Thread.currentThread().getContextClassLoader()));
    IllegalStateException thrown = assertThrows(IllegalStateException.class,
        () -> PluginCalls.callWithin(loader, Duration.ofSeconds(30), "start()", () -> {
          throw new IllegalStateException("no config");
        }));
    assertEquals("no config", thrown.getMessage());
  }
}
