package io.gloo.core.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gloo} command line. */
@Command(name = "gloo", mixinStandardHelpOptions = true, versionProvider = GlooCli.Version.class,
    description = "Gloo Gateway for Java: a Gateway API control plane that serves Envoy over xDS.",
    subcommands = {ServeCommand.class, TranslateCommand.class, BootstrapCommand.class, StatusCommand.class,
        RouteCheckCommand.class, PluginsCommand.class, ConformanceCommand.class, ValidateCommand.class,
        PluginServiceCommand.RateLimit.class, PluginServiceCommand.ExtAuth.class, CertsCommand.class,
        ConvertCommand.class})
public final class GlooCli implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with its one-line error handling ({@link CliErrors}) installed. */
  public static CommandLine commandLine() {
    return CliErrors.install(new CommandLine(new GlooCli()));
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Reads the version from the jar manifest (set by Maven), falling back to "dev". */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = GlooCli.class.getPackage().getImplementationVersion();
      return new String[] {"gloo " + (v == null ? "dev" : v)};
    }
  }
}
