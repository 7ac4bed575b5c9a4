package io.gloo.core.cli;

import io.gloo.core.logging.LogSettings;
import org.slf4j.event.Level;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.TypeConversionException;

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

  /** Global (every subcommand takes it, before or after its name): how log lines are written. */
  @Option(names = "--log-format", scope = ScopeType.INHERIT, paramLabel = "FORMAT", converter = FormatConverter.class,
      description = "Log lines as text (default) or json: one object per line with time, level, logger, thread,"
          + " message and, where known, the resource's kind, namespace and name.")
  void logFormat(LogSettings.Format format) {
    LogSettings.get().format(format);
  }

  /** Global: the root logger's level (a logger's own level can be changed at run time through the admin API). */
  @Option(names = "--log-level", scope = ScopeType.INHERIT, paramLabel = "LEVEL", converter = LevelConverter.class,
      description = "Least severe level logged: trace, debug, info (default), warn or error.")
  void logLevel(Level level) {
    LogSettings.get().level("root", level);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final class FormatConverter implements ITypeConverter<LogSettings.Format> {
    @Override
    public LogSettings.Format convert(String value) {
      try {
        return LogSettings.Format.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  static final class LevelConverter implements ITypeConverter<Level> {
    @Override
    public Level convert(String value) {
      try {
        return LogSettings.parseLevel(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
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
