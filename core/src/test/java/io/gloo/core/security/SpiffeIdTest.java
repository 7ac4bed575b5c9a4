package io.gloo.core.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class SpiffeIdTest {

  @Test
  void namesTheWorkloadsOfTheTrustDomain() {
    assertEquals("spiffe://gloo/ns/default/gateway/http", SpiffeId.gateway("default", "http").uri());
    assertEquals("spiffe://gloo/service/extauth-server", SpiffeId.service("extauth-server").uri());
    assertEquals("spiffe://gloo/control-plane", SpiffeId.controlPlane().uri());
    assertEquals(Optional.of("default/http"), SpiffeId.gateway("default", "http").gatewayRef());
    assertEquals(Optional.empty(), SpiffeId.service("ratelimit-server").gatewayRef());
    assertEquals(Optional.empty(), new SpiffeId("spiffe://gloo/ns/default/proxy/edge").gatewayRef());
  }

  @Test
  void aNameCannotSmuggleAnotherIdentity() {
    assertThrows(IllegalArgumentException.class, () -> SpiffeId.gateway("default/gateway/x", "y"));
    assertThrows(IllegalArgumentException.class, () -> SpiffeId.gateway("default", "a/b"));
    assertThrows(IllegalArgumentException.class, () -> SpiffeId.gateway("Default", "a"));
    assertThrows(IllegalArgumentException.class, () -> new SpiffeId("spiffe://other/ns/a/gateway/b"));
    assertThrows(IllegalArgumentException.class, () -> SpiffeId.service(""));
    assertTrue(SpiffeId.gateway("a.b", "c-d.e").gatewayRef().isPresent());
  }
}
