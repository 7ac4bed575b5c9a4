package io.gloo.core.provision;

import static io.gloo.core.provision.ProxyProvisioner.APP;
import static io.gloo.core.provision.ProxyProvisioner.APP_LABEL;
import static io.gloo.core.provision.ProxyProvisioner.BOOTSTRAP_HASH_ANNOTATION;
import static io.gloo.core.provision.ProxyProvisioner.BOOTSTRAP_KEY;
import static io.gloo.core.provision.ProxyProvisioner.CONTAINER_NAME;
import static io.gloo.core.provision.ProxyProvisioner.GATEWAY_NAME_LABEL;
import static io.gloo.core.provision.ProxyProvisioner.MANAGED_BY;
import static io.gloo.core.provision.ProxyProvisioner.MANAGED_BY_LABEL;
import static io.gloo.core.provision.ProxyProvisioner.PROXY_UID;
import static io.gloo.core.provision.ProxyProvisioner.SPEC_HASH_ANNOTATION;
import static io.gloo.core.provision.ProxyProvisioner.proxyName;

import com.google.common.hash.Hashing;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.xds.BootstrapGenerator;
import io.gloo.core.xds.BootstrapTls;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The objects {@link ProxyProvisioner} wants for one Gateway (ServiceAccount, ConfigMap with the Envoy bootstrap,
 * Deployment, Service), computed from the Gateway alone: no API calls here, so the same objects are rendered offline
 * ({@link ProxyProvisioner#rendered}) and compared by fingerprint before anything is written.
 */
final class ProxyObjects {

  private ProxyObjects() {}

  /** What one Gateway should have; {@code fingerprint} changes whenever any of it does. */
  record Desired(ServiceAccount account, ConfigMap config, Deployment deployment, Service service,
      String fingerprint) {}

  private static Map<String, String> selector(String gatewayName) {
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(APP_LABEL, APP);
    selector.put(GATEWAY_NAME_LABEL, gatewayName);
    return selector;
  }

  static Map<String, String> labels(String gatewayName) {
    Map<String, String> labels = selector(gatewayName);
    labels.put(MANAGED_BY_LABEL, MANAGED_BY);
    return labels;
  }

  static OwnerReference owner(Gateway gateway) {
    return new OwnerReferenceBuilder()
        .withApiVersion(gateway.getApiVersion() == null ? "gateway.networking.k8s.io/v1" : gateway.getApiVersion())
        .withKind("Gateway")
        .withName(gateway.getMetadata().getName())
        .withUid(gateway.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /**
   * {@code spec.infrastructure.labels} and {@code .annotations} of a Gateway (GEP-1867): put on every object the
   * provisioner creates and on the proxy's pods. Our own labels win over a same-named infrastructure label, since the
   * selectors depend on them.
   */
  private static Map<String, String> infrastructure(Gateway gateway, boolean annotations) {
    var infra = gateway.getSpec() == null ? null : gateway.getSpec().getInfrastructure();
    Map<String, String> values = infra == null ? null : annotations ? infra.getAnnotations() : infra.getLabels();
    return values == null ? Map.of() : new java.util.TreeMap<>(values);
  }

  /**
   * What a Gateway should have.
   *
   * @param certificateHash the hash of its xDS client certificate (Secret {@link ProxyCertificates#secretName}),
   *     mounted at {@value ProxyCertificates#MOUNT_PATH} and named by the bootstrap; null for plaintext xDS
   * @param listenerSetPorts the ports of the listeners of the ListenerSets the Gateway allows
   */
  static Desired desired(Gateway gateway, String certificateHash, ProxyProvisioner.Options options,
      KubernetesSerialization json, Set<Integer> listenerSetPorts) {
    return desired(gateway, certificateHash, options, json, listenerSetPorts, List.of());
  }

  /**
   * @param externalIps the Gateway's usable requested addresses ({@code StaticAddresses}): the Service's
   *     {@code spec.externalIPs}, which kube-proxy answers on
   */
  static Desired desired(Gateway gateway, String certificateHash, ProxyProvisioner.Options options,
      KubernetesSerialization json, Set<Integer> listenerSetPorts, List<String> externalIps) {
    String ns = gateway.getMetadata().getNamespace();
    String gatewayName = gateway.getMetadata().getName();
    String name = proxyName(gatewayName);
    Map<String, String> selector = selector(gatewayName);
    Map<String, String> labels = new LinkedHashMap<>(infrastructure(gateway, false));
    labels.putAll(labels(gatewayName));
    Map<String, String> annotations = infrastructure(gateway, true);
    OwnerReference owner = owner(gateway);

    TreeSet<Integer> ports = new TreeSet<>();
    if (gateway.getSpec().getListeners() != null) {
      for (Listener l : gateway.getSpec().getListeners()) {
        // A listener port outside 1-65535 is not served (the translator reports it PortUnavailable); in the
        // Service or Deployment the API server would refuse the whole object.
        if (l.getPort() != null && l.getPort() >= 1 && l.getPort() <= 65535) {
          ports.add(l.getPort());
        }
      }
    }
    ports.addAll(listenerSetPorts);

    ServiceAccount account = new ServiceAccountBuilder().withMetadata(meta(name, ns, labels, annotations, owner))
        .build();

    String bootstrap = certificateHash == null
        ? BootstrapGenerator.provisionedYaml(ResourceKey.of(gateway), options.xdsAddress())
        : BootstrapGenerator.provisionedYaml(ResourceKey.of(gateway), options.xdsAddress(),
            BootstrapTls.files(java.nio.file.Path.of(ProxyCertificates.MOUNT_PATH)));
    String bootstrapHash = sha256(bootstrap).substring(0, 16);
    ConfigMap config = new ConfigMapBuilder().withMetadata(meta(name, ns, labels, annotations, owner))
        .withData(Map.of(BOOTSTRAP_KEY, bootstrap)).build();

    List<ContainerPort> containerPorts = new ArrayList<>();
    List<ServicePort> servicePorts = new ArrayList<>();
    for (int port : ports) {
      containerPorts.add(new ContainerPortBuilder().withName(portName(port)).withContainerPort(port)
          .withProtocol("TCP").build());
      servicePorts.add(new ServicePortBuilder().withName(portName(port)).withPort(port).withProtocol("TCP")
          .withTargetPort(new IntOrString(port)).build());
    }
    containerPorts.add(new ContainerPortBuilder().withName("readiness")
        .withContainerPort(BootstrapGenerator.READINESS_PORT).withProtocol("TCP").build());

    Map<String, String> podAnnotations = new LinkedHashMap<>(annotations);
    podAnnotations.putAll(podAnnotations(bootstrapHash, certificateHash));
    Deployment deployment = new DeploymentBuilder()
        .withMetadata(meta(name, ns, labels, annotations, owner))
        .withNewSpec()
          .withReplicas(1)
          .withNewSelector().withMatchLabels(selector).endSelector()
          .withNewTemplate()
            .withNewMetadata()
              .withLabels(labels)
              .withAnnotations(podAnnotations)
            .endMetadata()
            .withNewSpec()
              .withServiceAccountName(name)
              .withSecurityContext(podSecurity(ports, certificateHash != null))
              .addNewContainer()
                .withName(CONTAINER_NAME)
                .withImage(options.envoyImage())
                .withArgs("-c", "/etc/envoy/" + BOOTSTRAP_KEY, "--service-node", "$(POD_NAME)",
                    "--log-level", "info")
                .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef()
                  .withFieldPath("metadata.name").endFieldRef().endValueFrom().endEnv()
                .withPorts(containerPorts)
                .withNewReadinessProbe()
                  .withNewHttpGet()
                    .withPath(BootstrapGenerator.READINESS_PATH)
                    .withPort(new IntOrString(BootstrapGenerator.READINESS_PORT))
                  .endHttpGet()
                  .withPeriodSeconds(5)
                  .withFailureThreshold(3)
                .endReadinessProbe()
                .withNewSecurityContext()
                  .withAllowPrivilegeEscalation(false)
                  .withReadOnlyRootFilesystem(true)
                  .withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext()
                .addNewVolumeMount().withName("bootstrap").withMountPath("/etc/envoy").withReadOnly(true)
                  .endVolumeMount()
              .endContainer()
              .addNewVolume().withName("bootstrap").withNewConfigMap().withName(name).endConfigMap().endVolume()
            .endSpec()
          .endTemplate()
        .endSpec()
        .build();
    if (certificateHash != null) {
      mountCertificate(deployment, ProxyCertificates.secretName(gatewayName));
    }
    String specHash = sha256(json.asJson(deployment.getSpec())).substring(0, 16);
    deployment.getMetadata().getAnnotations().put(SPEC_HASH_ANNOTATION, specHash);

    Service service = new ServiceBuilder()
        .withMetadata(meta(name, ns, labels, annotations, owner))
        .withNewSpec()
          .withType(options.serviceType())
          .withSelector(selector)
          .withPorts(servicePorts)
          .withExternalIPs(externalIps.isEmpty() ? null : List.copyOf(externalIps))
        .endSpec()
        .build();

    // infrastructure labels and annotations are in the objects' metadata, outside the specs: they count too
    String fingerprint = sha256(String.join("\n", String.valueOf(gateway.getMetadata().getUid()), specHash,
        bootstrapHash, json.asJson(service.getSpec()), labels.toString(), annotations.toString()));
    return new Desired(account, config, deployment, service, fingerprint);
  }

  /**
   * Envoy runs as a non-root user (so the image's entrypoint does not switch users, which needs capabilities we drop);
   * listeners on ports below 1024 are allowed by the namespaced, safe sysctl {@code ip_unprivileged_port_start}.
   */
  private static PodSecurityContext podSecurity(TreeSet<Integer> ports, boolean certificate) {
    PodSecurityContextBuilder b = new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(PROXY_UID)
        .withRunAsGroup(PROXY_UID)
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile();
    if (certificate) {
      b.withFsGroup(PROXY_UID); // the certificate Secret's files (0440) belong to the proxy's group
    }
    if (!ports.isEmpty() && ports.first() < 1024) {
      b.addNewSysctl().withName("net.ipv4.ip_unprivileged_port_start").withValue("0").endSysctl();
    }
    return b.build();
  }

  private static Map<String, String> podAnnotations(String bootstrapHash, String certificateHash) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(BOOTSTRAP_HASH_ANNOTATION, bootstrapHash);
    if (certificateHash != null) {
      // Envoy reads the bootstrap's certificate files once: a renewed certificate rolls the proxies.
      annotations.put(ProxyCertificates.CERT_HASH_ANNOTATION, certificateHash);
    }
    return annotations;
  }

  /** The xDS client certificate Secret, read-only at {@value ProxyCertificates#MOUNT_PATH}, files 0440. */
  private static void mountCertificate(Deployment deployment, String secretName) {
    var pod = deployment.getSpec().getTemplate().getSpec();
    pod.getContainers().get(0).getVolumeMounts().add(new io.fabric8.kubernetes.api.model.VolumeMountBuilder()
        .withName("xds-tls").withMountPath(ProxyCertificates.MOUNT_PATH).withReadOnly(true).build());
    pod.getVolumes().add(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("xds-tls")
        .withNewSecret().withSecretName(secretName).withDefaultMode(0440).endSecret().build());
  }

  static ObjectMeta meta(String name, String ns, Map<String, String> labels, Map<String, String> annotations,
      OwnerReference owner) {
    return new ObjectMetaBuilder().withName(name).withNamespace(ns).withLabels(new LinkedHashMap<>(labels))
        .withAnnotations(new LinkedHashMap<>(annotations)).withOwnerReferences(owner).build();
  }

  static String portName(int port) {
    return "port-" + port;
  }

  static String sha256(String text) {
    return Hashing.sha256().hashString(text, StandardCharsets.UTF_8).toString();
  }
}
