package io.gloo.core.cli;

import io.gloo.core.store.ResourceKey;
import io.gloo.core.xds.BootstrapGenerator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gloo bootstrap}: an Envoy bootstrap that connects a proxy to the xDS server as a Gateway's proxy. */
@Command(name = "bootstrap", mixinStandardHelpOptions = true,
    description = "Print an Envoy bootstrap (YAML) that points a proxy at the xDS server for one Gateway.")
final class BootstrapCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--gateway", required = true, description = "The Gateway, as NAMESPACE/NAME.")
  String gateway;

  @Option(names = "--xds-address", defaultValue = "127.0.0.1:9977", converter = HostPort.class,
      description = "host:port of the xDS server (default: ${DEFAULT-VALUE}).")
  String xdsAddress;

  @Override
  public Integer call() {
    int slash = gateway.indexOf('/');
    if (slash <= 0 || slash == gateway.length() - 1) {
      spec.commandLine().getErr().println("gloo bootstrap: --gateway must be NAMESPACE/NAME, got " + gateway);
      return 2;
    }
    ResourceKey key = new ResourceKey("Gateway", gateway.substring(0, slash), gateway.substring(slash + 1));
    spec.commandLine().getOut().print(BootstrapGenerator.yaml(key, xdsAddress));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
