package io.gloo.core.translate.gatewayapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HostnamesTest {

  @Test
  void noHostnamesOnEitherSideMeansAnyHost() {
    assertEquals(List.of("*"), Hostnames.intersect(null, List.of()));
  }

  @Test
  void routeWithoutHostnamesTakesTheListenerHostname() {
    assertEquals(List.of("*.example.com"), Hostnames.intersect("*.example.com", null));
  }

  @Test
  void listenerWithoutHostnameTakesTheRouteHostnames() {
    assertEquals(List.of("a.com", "*.b.com"), Hostnames.intersect(null, List.of("a.com", "*.b.com")));
  }

  @Test
  void wildcardListenerKeepsTheMatchingRouteHostnamesOnly() {
    assertEquals(List.of("foo.example.com", "a.b.example.com", "*.x.example.com"),
        Hostnames.intersect("*.example.com",
            List.of("foo.example.com", "example.com", "a.b.example.com", "*.x.example.com", "other.org")));
  }

  @Test
  void wildcardRouteNarrowsToTheListenerHostname() {
    assertEquals(List.of("foo.example.com"), Hostnames.intersect("foo.example.com", List.of("*.example.com")));
  }

  @Test
  void hostnamesCompareCaseInsensitively() {
    assertEquals(List.of("foo.example.com"), Hostnames.intersect("Foo.Example.com", List.of("FOO.example.COM")));
  }

  @Test
  void disjointHostnamesDoNotIntersect() {
    assertTrue(Hostnames.intersect("foo.example.com", List.of("bar.example.com", "*.other.com")).isEmpty());
  }

  @Test
  void wildcardNeedsAtLeastOneMoreLabel() {
    assertFalse(Hostnames.matches("*.example.com", "example.com"));
    assertTrue(Hostnames.matches("*.example.com", "a.example.com"));
    assertFalse(Hostnames.matches("*.example.com", "*.example.com"));
    assertTrue(Hostnames.matches("*.example.com", "*.a.example.com"));
  }
}
