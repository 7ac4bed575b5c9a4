package io.gloo.core.cli;

import io.gloo.core.security.CaDirectory;
import io.gloo.core.security.CertificateAuthority;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * Where commands that issue certificates find the control plane's CA: the state directory {@code gloo serve} uses
 * ({@code --state-dir}, else {@code <config-dir parent>/.gloo}), or on a cluster the Secret {@code gloo-ca} in the
 * control plane's namespace ({@code --kubeconfig} and/or {@code --ca-namespace}; read only, never created). Mixed
 * into {@code bootstrap} and {@code certs issue}.
 */
final class CaOptions {

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "The control plane's state directory holding its CA (default: <config-dir parent>/.gloo).")
  Path stateDir;

  @Option(names = "--config-dir", paramLabel = "DIR",
      description = "The directory gloo serve serves; its CA is in <config-dir parent>/.gloo.")
  Path configDir;

  @Option(names = "--kubeconfig", paramLabel = "PATH",
      description = "Read the CA from the Secret gloo-ca on the cluster this kubeconfig names.")
  Path kubeconfig;

  @Option(names = "--ca-namespace", paramLabel = "NS",
      description = "Read the CA from the Secret gloo-ca in this namespace (the control plane's; default with"
          + " --kubeconfig: $POD_NAMESPACE, the in-cluster namespace, the kubeconfig's, or gloo-system). Without"
          + " --kubeconfig: KUBECONFIG, ~/.kube/config or in-cluster credentials.")
  String caNamespace;

  /** The state directory, or null when neither option was given. */
  Path resolve() {
    if (stateDir != null) {
      return stateDir;
    }
    return configDir == null ? null : CaDirectory.defaultStateDir(configDir);
  }

  /**
   * Loads the CA (creating it on first use, as {@code gloo serve} would).
   *
   * @throws IllegalArgumentException with a one-line message when no state directory was named
   */
  CertificateAuthority load() throws IOException {
    if (kubeconfig != null || caNamespace != null) {
      if (stateDir != null || configDir != null) {
        throw new IllegalArgumentException("give the CA's state directory (--state-dir, --config-dir) or its"
            + " cluster (--kubeconfig, --ca-namespace), not both");
      }
      return fromCluster();
    }
    Path dir = resolve();
    if (dir == null) {
      throw new IllegalArgumentException("give --config-dir (the directory gloo serve serves) or --state-dir,"
          + " or --kubeconfig / --ca-namespace on a cluster, to find the control plane's CA");
    }
    return CertificateAuthority.loadOrCreate(dir);
  }

  private CertificateAuthority fromCluster() throws IOException {
    if (kubeconfig != null && !Files.isRegularFile(kubeconfig)) {
      throw new IllegalArgumentException("--kubeconfig " + kubeconfig + " is not a file");
    }
    Config config = kubeconfig == null ? Config.autoConfigure(null)
        : Config.fromKubeconfig(Files.readString(kubeconfig));
    String namespace = caNamespace != null ? caNamespace : ServeCommand.defaultNamespace(config);
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      return CertificateAuthority.load(client, namespace);
    } catch (KubernetesClientException e) {
      throw new IllegalStateException("cannot read the CA from the cluster: " + e.getMessage(), e);
    }
  }

  /** Lifetimes as users write them: 30m, 24h, 30d (or ISO-8601, PT24H). */
  static Duration parseLifetime(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      Duration d;
      if (t.endsWith("d")) {
        d = Duration.ofDays(Long.parseLong(t.substring(0, t.length() - 1)));
      } else if (t.endsWith("h")) {
        d = Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
      } else if (t.endsWith("m")) {
        d = Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
      } else {
        d = Duration.parse(text.trim());
      }
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("--lifetime must be positive, got " + text);
      }
      return d;
    } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("--lifetime must look like 30m, 24h or 30d, got " + text);
    }
  }
}
