package io.gloo.core.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import org.junit.jupiter.api.Test;

/** spec.infrastructure labels and annotations reach every object the provisioner creates and the proxy's pods. */
class ProxyProvisionerRenderTest {

  private static Gateway gateway(String infrastructure) {
    return new KubernetesSerialization().unmarshal("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: g, namespace: ns, uid: u1}
        spec:
          gatewayClassName: gloo-gateway
          %s
          listeners: [{name: http, port: 80, protocol: HTTP}]
        """.formatted(infrastructure), Gateway.class);
  }

  @Test
  void infrastructureLabelsAndAnnotationsPropagateAndOurSelectorLabelsWin() {
    List<HasMetadata> objects = ProxyProvisioner.rendered(gateway("""
        infrastructure:
            labels: {team: a, gateway.networking.k8s.io/gateway-name: other}
            annotations: {note: x}"""), ProxyProvisioner.Options.defaults("gloo-system"));
    assertEquals(List.of("ServiceAccount", "ConfigMap", "Deployment", "Service"),
        objects.stream().map(HasMetadata::getKind).toList());
    for (HasMetadata o : objects) {
      assertEquals("a", o.getMetadata().getLabels().get("team"), o.getKind());
      assertEquals("g", o.getMetadata().getLabels().get(ProxyProvisioner.GATEWAY_NAME_LABEL), o.getKind());
      assertEquals("x", o.getMetadata().getAnnotations().get("note"), o.getKind());
    }
    Deployment d = (Deployment) objects.get(2);
    assertEquals("a", d.getSpec().getTemplate().getMetadata().getLabels().get("team"));
    assertEquals("x", d.getSpec().getTemplate().getMetadata().getAnnotations().get("note"));
    assertTrue(d.getSpec().getTemplate().getMetadata().getAnnotations()
        .containsKey(ProxyProvisioner.BOOTSTRAP_HASH_ANNOTATION));
    assertTrue(d.getMetadata().getAnnotations().containsKey(ProxyProvisioner.SPEC_HASH_ANNOTATION));
    assertEquals("g", d.getSpec().getSelector().getMatchLabels().get(ProxyProvisioner.GATEWAY_NAME_LABEL));
  }

  @Test
  void withoutInfrastructureOnlyOurLabels() {
    List<HasMetadata> objects = ProxyProvisioner.rendered(gateway(""),
        ProxyProvisioner.Options.defaults("gloo-system"));
    assertEquals(3, objects.get(0).getMetadata().getLabels().size(), objects.get(0).getMetadata().getLabels()
        .toString());
    assertTrue(objects.get(3).getMetadata().getAnnotations().isEmpty());
  }
}
