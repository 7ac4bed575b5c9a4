package io.gloo.core.cli;

import io.gloo.core.snapshot.ProxyNodes;

import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.gloo.core.security.CaDirectory;
import io.gloo.core.security.CertificateAuthority;
import io.gloo.core.security.IssuedCertificate;
import io.gloo.core.security.SpiffeId;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.validate.ProtoConstraintValidator;
import io.gloo.core.validate.Violation;
import io.gloo.core.xds.BootstrapGenerator;
import io.gloo.core.xds.BootstrapTls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gloo bootstrap}: an Envoy bootstrap that connects a proxy to the xDS server as a Gateway's proxy, over
 * mutual TLS with a client certificate for that Gateway alone (issued by the CA in the state directory, or on a
 * cluster by the CA in the Secret {@code gloo-ca}: see {@link CaOptions}).
 */
@Command(name = "bootstrap", mixinStandardHelpOptions = true,
    description = {"Write an Envoy bootstrap that connects a proxy to the xDS server as the proxy of one Gateway,"
        + " over mutual TLS with a client certificate for that Gateway only.",
        "With --out-dir: DIR/envoy.yaml, DIR/tls.crt, DIR/tls.key (0600) and DIR/ca.crt, the bootstrap naming the"
            + " files by absolute path. Without: the bootstrap on stdout with certificate and key inline."})
final class BootstrapCommand implements Callable<Integer> {

  /** Default lifetime of the proxy's certificate (renew by running the command again). */
  static final String DEFAULT_LIFETIME = "30d";
  private static final Logger LOG = LoggerFactory.getLogger(BootstrapCommand.class);

  @Spec
  CommandSpec spec;

  @Mixin
  CaOptions ca;

  /** Exactly one of a Gateway API Gateway or a Gloo Edge proxy. */
  @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  static final class Target {
    @Option(names = "--gateway", required = true, description = "The Gateway, as NAMESPACE/NAME.")
    String gateway;

    @Option(names = "--proxy", required = true, description = "A Gloo Edge proxy (a proxyNames entry of Edge "
        + "Gateways, default gateway-proxy), as NAMESPACE/NAME: the Edge Gateways' namespace and the proxy name.")
    String proxy;
  }

  @Option(names = "--xds-address", defaultValue = "127.0.0.1:9977", converter = HostPort.class,
      description = "host:port of the xDS server (default: ${DEFAULT-VALUE}).")
  String xdsAddress;

  @Option(names = "--out-dir", paramLabel = "DIR",
      description = "Write envoy.yaml, tls.crt, tls.key and ca.crt here instead of printing the bootstrap.")
  Path outDir;

  @Option(names = "--lifetime", defaultValue = DEFAULT_LIFETIME, paramLabel = "DURATION",
      description = "How long the proxy's certificate is valid, e.g. 24h or 30d (default: ${DEFAULT-VALUE}).")
  String lifetime;

  @Option(names = "--xds-insecure",
      description = "A plaintext bootstrap without certificates, for a server started with --xds-insecure.")
  boolean insecure;

  @Override
  public Integer call() {
    try {
      return run();
    } catch (IllegalArgumentException | IOException | IllegalStateException e) {
      LOG.debug("gloo bootstrap failed", e);
      spec.commandLine().getErr().println("gloo bootstrap: " + e.getMessage());
      return 2;
    }
  }

  private int run() throws IOException {
    ResourceKey key = target.proxy != null ? proxyKey(target.proxy) : gatewayKey(target.gateway, "--gateway");
    if (insecure) {
      Bootstrap plain = BootstrapGenerator.bootstrap(key, xdsAddress);
      requireValid(plain);
      return emit(BootstrapGenerator.yaml(key, xdsAddress), "plaintext bootstrap (server must run --xds-insecure)");
    }
    Duration life = CaOptions.parseLifetime(lifetime);
    CertificateAuthority authority = ca.load();
    SpiffeId identity = key.kind().equals(ProxyNodes.PROXY_KIND) ? SpiffeId.edgeProxy(key.namespace(), key.name())
        : SpiffeId.gateway(key.namespace(), key.name());
    IssuedCertificate issued = authority.issue(identity, List.of(), life);
    if (outDir == null) {
      requireValid(BootstrapGenerator.bootstrap(key, xdsAddress, BootstrapTls.inline(issued)));
      spec.commandLine().getOut().print(BootstrapGenerator.yaml(key, xdsAddress, BootstrapTls.inline(issued)));
      spec.commandLine().getOut().flush();
      return 0;
    }
    Path dir = CaDirectory.writeIssued(issued, outDir);
    BootstrapTls files = BootstrapTls.files(dir);
    requireValid(BootstrapGenerator.bootstrap(key, xdsAddress, files));
    return emit(BootstrapGenerator.yaml(key, xdsAddress, files),
        "certificate for " + identity + " valid until " + issued.notAfter());
  }

  private int emit(String yaml, String what) throws IOException {
    if (outDir == null) {
      spec.commandLine().getOut().print(yaml);
      spec.commandLine().getOut().flush();
      return 0;
    }
    Path dir = outDir.toAbsolutePath().normalize();
    Files.createDirectories(dir);
    Path file = dir.resolve("envoy.yaml");
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    spec.commandLine().getErr().println("gloo bootstrap: wrote " + file + " (" + what + ")");
    return 0;
  }

  /** Envoy's validate.rules on the bootstrap: a bootstrap Envoy would reject is never written. */
  private static void requireValid(Bootstrap bootstrap) {
    List<Violation> violations = new ProtoConstraintValidator().validate(bootstrap);
    if (!violations.isEmpty()) {
      // path and rule only: a message could quote a field's value, and the bootstrap may hold a key
      throw new IllegalStateException("the bootstrap breaks Envoy's constraint " + violations.get(0).rule()
          + " at " + violations.get(0).path());
    }
  }

  /** NAMESPACE/NAME with Kubernetes names, as a Gloo Edge proxy key; a one-line error otherwise. */
  static ResourceKey proxyKey(String text) {
    ResourceKey gateway = gatewayKey(text, "--proxy");
    return new ResourceKey(ProxyNodes.PROXY_KIND, gateway.namespace(), gateway.name());
  }

  /** NAMESPACE/NAME with Kubernetes names, as a Gateway key; a one-line error otherwise. */
  static ResourceKey gatewayKey(String text, String option) {
    int slash = text.indexOf('/');
    if (slash <= 0 || slash == text.length() - 1) {
      throw new IllegalArgumentException(option + " must be NAMESPACE/NAME, got " + text);
    }
    String namespace = text.substring(0, slash);
    String name = text.substring(slash + 1);
    try {
      SpiffeId.gateway(namespace, name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + " must be NAMESPACE/NAME with Kubernetes names, got " + text);
    }
    return new ResourceKey("Gateway", namespace, name);
  }
}
