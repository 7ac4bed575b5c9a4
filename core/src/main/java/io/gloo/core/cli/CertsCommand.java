package io.gloo.core.cli;

import io.gloo.core.security.CaDirectory;
import io.gloo.core.security.IssuedCertificate;
import io.gloo.core.security.SpiffeId;
import io.gloo.core.store.ResourceKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gloo certs}: certificates from the control plane's CA. */
@Command(name = "certs", mixinStandardHelpOptions = true,
    description = "Certificates from the control plane's CA (the state directory of gloo serve).",
    subcommands = CertsCommand.Issue.class)
final class CertsCommand implements Runnable {

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code gloo certs issue --for WHO --out-dir DIR}. */
  @Command(name = "issue", mixinStandardHelpOptions = true,
      description = {"Issue a certificate from the control plane's CA and write DIR/tls.crt, DIR/tls.key (0600) and"
          + " DIR/ca.crt.",
          "--for NAMESPACE/NAME: a Gateway's proxy (spiffe://gloo/ns/NAMESPACE/gateway/NAME);"
              + " ratelimit-server or extauth-server: a plugin service (spiffe://gloo/service/NAME)."})
  static final class Issue implements Callable<Integer> {

    static final Set<String> SERVICES = Set.of("ratelimit-server", "extauth-server");
    private static final Logger LOG = LoggerFactory.getLogger(Issue.class);

    @Spec
    CommandSpec spec;

    @Mixin
    CaOptions ca;

    @Option(names = "--for", required = true, paramLabel = "WHO",
        description = "NAMESPACE/NAME of a Gateway, ratelimit-server or extauth-server.")
    String subject;

    @Option(names = "--out-dir", required = true, paramLabel = "DIR", description = "Where to write the files.")
    Path outDir;

    @Option(names = "--lifetime", defaultValue = BootstrapCommand.DEFAULT_LIFETIME, paramLabel = "DURATION",
        description = "How long the certificate is valid, e.g. 24h or 30d (default: ${DEFAULT-VALUE}).")
    String lifetime;

    @Option(names = "--dns", split = ",", paramLabel = "NAME",
        description = "Extra DNS names or IP addresses, for a certificate a server presents (repeatable).")
    List<String> dnsNames = new ArrayList<>();

    @Override
    public Integer call() {
      try {
        SpiffeId identity = identity(subject);
        IssuedCertificate issued = ca.load().issue(identity, dnsNames, CaOptions.parseLifetime(lifetime));
        Path dir = CaDirectory.writeIssued(issued, outDir);
        spec.commandLine().getErr().println("gloo certs issue: wrote " + dir + "/{tls.crt,tls.key,ca.crt} for "
            + identity + ", valid until " + issued.notAfter());
        return 0;
      } catch (IllegalArgumentException | IOException | IllegalStateException e) {
        LOG.debug("gloo certs issue failed", e);
        spec.commandLine().getErr().println("gloo certs issue: " + e.getMessage());
        return 2;
      }
    }

    static SpiffeId identity(String subject) {
      if (subject.contains("/")) {
        ResourceKey gateway = BootstrapCommand.gatewayKey(subject, "--for");
        return SpiffeId.gateway(gateway.namespace(), gateway.name());
      }
      if (SERVICES.contains(subject)) {
        return SpiffeId.service(subject);
      }
      throw new IllegalArgumentException("--for must be NAMESPACE/NAME of a Gateway, ratelimit-server or"
          + " extauth-server, got " + subject);
    }
  }
}
