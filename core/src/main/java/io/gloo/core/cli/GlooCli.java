package io.gloo.core.cli;

import io.gloo.core.logging.LogSettings;
import java.util.List;
import java.util.Set;
import org.slf4j.event.Level;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.TypeConversionException;

/** The {@code gloo} command line. */
@Command(name = "gloo", mixinStandardHelpOptions = true, versionProvider = GlooCli.Version.class,
    description = "Gloo Gateway for Java: a Gateway API control plane that serves Envoy over xDS.")
public final class GlooCli implements Runnable {

  /** The subcommands, in the order help lists them (added in {@link #commandLine}, not by the annotation). */
  static final List<Class<?>> SUBCOMMANDS = List.of(ServeCommand.class, TranslateCommand.class,
      BootstrapCommand.class, StatusCommand.class, RouteCheckCommand.class, PluginsCommand.class,
      ConformanceCommand.class, ValidateCommand.class, PluginServiceCommand.RateLimit.class,
      PluginServiceCommand.ExtAuth.class, CertsCommand.class, ConvertCommand.class);

  /** Global options that take a value (so the word after one is not the subcommand's name). */
  private static final Set<String> GLOBAL_WITH_VALUE = Set.of("--log-format", "--log-level");

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine(args).execute(args));
  }

  /** The command line with every subcommand and its one-line error handling ({@link CliErrors}) installed. */
  public static CommandLine commandLine() {
    return commandLine(SUBCOMMANDS);
  }

  /**
   * The command line to run {@code args}: with only the subcommand they name, when they name one, else with all
   * ({@code gloo --help}, a misspelled name). picocli builds the model of every subcommand it is given up front,
   * loading their classes and reading their annotations, which cost about a tenth of a quick-start
   * {@code gloo translate} (issue #21); the one that runs is the same either way.
   */
  static CommandLine commandLine(String[] args) {
    String name = subcommandName(args);
    for (Class<?> subcommand : SUBCOMMANDS) {
      if (subcommand.getAnnotation(Command.class).name().equals(name)) {
        return commandLine(List.of(subcommand));
      }
    }
    List<String> words = List.of(args);
    if (name == null && (words.contains("--version") || words.contains("-V"))
        && !words.contains("--help") && !words.contains("-h")) {
      return commandLine(List.of()); // the version needs no subcommand
    }
    return commandLine();
  }

  private static CommandLine commandLine(List<Class<?>> subcommands) {
    CommandLine cli = new CommandLine(new GlooCli());
    subcommands.forEach(cli::addSubcommand);
    return CliErrors.install(cli); // after the subcommands: picocli applies handlers to those present
  }

  /** The first word of {@code args} that is neither a global option nor its value; null if none. */
  static String subcommandName(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) {
        return null;
      }
      if (!arg.startsWith("-")) {
        return arg;
      }
      if (GLOBAL_WITH_VALUE.contains(arg)) {
        i++;
      }
    }
    return null;
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
