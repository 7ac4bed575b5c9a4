package io.gloo.core.translate.gatewayapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import io.gloo.core.provision.ProxyProvisioner;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.Translations;
import io.gloo.core.translate.Translator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Requested static addresses: usable only when the GatewayClass's parameters list them; a usable one is the
 * Gateway's address (the proxy Service's externalIPs), an unusable one makes it Programmed False, AddressNotUsable.
 */
class StaticAddressesTest {

  private static final String CLASS = """
      apiVersion: gateway.networking.k8s.io/v1
      kind: GatewayClass
      metadata: {name: gloo-gateway}
      spec:
        controllerName: solo.io/gloo-gateway
        %s
      ---
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: params, namespace: gloo-system}
      data: {staticAddresses: "192.0.2.0/28, 2001:db8::1"}
      """;
  private static final String WITH_POOL = CLASS.formatted(
      "parametersRef: {group: \"\", kind: ConfigMap, name: params, namespace: gloo-system}");

  private static ResourceSnapshot snapshot(String gatewayClass, String addresses) {
    String yaml = gatewayClass + """
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: default}
        spec:
          gatewayClassName: gloo-gateway
          addresses: %s
          listeners: [{name: http, protocol: HTTP, port: 80}]
        """.formatted(addresses);
    return Translations.snapshot(yaml);
  }

  private static GatewayStatus status(ResourceSnapshot snapshot) {
    return (GatewayStatus) new Translator().translate(snapshot).statuses()
        .get(new ResourceKey("Gateway", "default", "gw"));
  }

  private static Condition condition(GatewayStatus s, String type) {
    return s.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
  }

  private static List<String> values(List<GatewayStatusAddress> addresses) {
    return addresses == null ? List.of() : addresses.stream().map(a -> a.getType() + " " + a.getValue()).toList();
  }

  private static Service service(ResourceSnapshot snapshot) {
    Gateway gw = snapshot.get(Gateway.class, "default", "gw").orElseThrow();
    return ProxyProvisioner.renderedService(gw, ProxyProvisioner.Options.defaults("gloo-system"), snapshot);
  }

  @Test
  void addressesInTheClassPoolAreTheGatewaysAndOnItsProxyService() {
    ResourceSnapshot s = snapshot(WITH_POOL, "[{type: IPAddress, value: 192.0.2.7}, {value: \"2001:db8::1\"}]");
    GatewayStatus st = status(s);
    assertEquals("True", condition(st, "Programmed").getStatus());
    assertEquals(List.of("IPAddress 192.0.2.7", "IPAddress 2001:db8::1"), values(st.getAddresses()));
    Service svc = service(s);
    assertEquals(List.of("192.0.2.7", "2001:db8::1"), svc.getSpec().getExternalIPs());
    svc.getSpec().setClusterIP("10.96.0.10");
    assertEquals(List.of("IPAddress 192.0.2.7", "IPAddress 2001:db8::1"), values(ProxyProvisioner.addressesOf(svc)),
        "the provisioner reports the external IPs, not the cluster IP");
  }

  @Test
  void anAddressOutsideThePoolOrAHostnameIsNotUsable() {
    ResourceSnapshot s = snapshot(WITH_POOL, "[{value: 198.51.100.200}, {value: 192.0.2.1}]");
    GatewayStatus st = status(s);
    Condition programmed = condition(st, "Programmed");
    assertEquals("False", programmed.getStatus());
    assertEquals("AddressNotUsable", programmed.getReason());
    assertTrue(programmed.getMessage().contains("198.51.100.200"), programmed.getMessage());
    assertFalse(programmed.getMessage().contains("192.0.2.1 "), programmed.getMessage());
    assertEquals("True", condition(st, "Accepted").getStatus());
    assertEquals(List.of("192.0.2.1"), service(s).getSpec().getExternalIPs(), "only the usable one is taken");
    // 192.0.2.16 is just past the /28
    assertEquals("AddressNotUsable", condition(status(snapshot(WITH_POOL, "[{value: 192.0.2.16}]")), "Programmed")
        .getReason());
    assertEquals("AddressNotUsable", condition(status(snapshot(WITH_POOL,
        "[{type: Hostname, value: gw.example.com}]")), "Programmed").getReason());
  }

  @Test
  void withoutAPoolNoStaticAddressIsUsableAndAValuelessOneAsksForAny() {
    ResourceSnapshot noPool = snapshot(CLASS.formatted(""), "[{value: 192.0.2.7}]");
    Condition programmed = condition(status(noPool), "Programmed");
    assertEquals("AddressNotUsable", programmed.getReason());
    assertTrue(programmed.getMessage().contains("lists no staticAddresses"), programmed.getMessage());
    assertNull(service(noPool).getSpec().getExternalIPs());

    ResourceSnapshot any = snapshot(CLASS.formatted(""), "[{type: IPAddress}]");
    GatewayStatus st = status(any);
    assertEquals("True", condition(st, "Programmed").getStatus());
    assertEquals(List.of(), values(st.getAddresses()), "the proxy Service's own address, reported by the provisioner");
    Service svc = service(any);
    svc.getSpec().setClusterIP("10.96.0.10");
    assertEquals(List.of("IPAddress 10.96.0.10"), values(ProxyProvisioner.addressesOf(svc)));
  }

  @Test
  void aClassWhoseParametersAreMissingIsNotAccepted() {
    ResourceSnapshot s = snapshot(CLASS.formatted(
        "parametersRef: {group: \"\", kind: ConfigMap, name: absent, namespace: gloo-system}"), "[]");
    GatewayClassStatus st = (GatewayClassStatus) new Translator().translate(s).statuses()
        .get(new ResourceKey("GatewayClass", null, "gloo-gateway"));
    Condition accepted = st.getConditions().get(0);
    assertEquals("False", accepted.getStatus());
    assertEquals("InvalidParameters", accepted.getReason());
  }
}
