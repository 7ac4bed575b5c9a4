package io.gloo.core.cli;

import io.gloo.core.server.ListenFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How every {@code gloo} command reports what went wrong, in one place: one line on stderr, {@code gloo <command>:
 * <what is wrong>}, and a non-zero exit status (2 for a bad command line, 1 when the command failed); the stack trace
 * only at debug level ({@code JAVA_OPTS=-Dorg.slf4j.simpleLogger.defaultLogLevel=debug}).
 */
final class CliErrors {

  private static final Logger LOG = LoggerFactory.getLogger(CliErrors.class);

  private CliErrors() {}

  /** Installs the handlers and the converters shared by all commands (inherited by subcommands added after). */
  static CommandLine install(CommandLine cli) {
    cli.registerConverter(Duration.class, new DurationConverter());
    cli.setParameterExceptionHandler(CliErrors::badCommandLine);
    cli.setExecutionExceptionHandler((e, command, parseResult) -> failed(e, command));
    return cli;
  }

  /** A bad flag, value or argument: says which, and where help is. */
  private static int badCommandLine(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    LOG.debug("bad command line", e);
    String suggestion = "";
    if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
      suggestion = "; did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?";
    }
    command.getErr().println(prefix(command) + oneLine(e.getMessage()) + suggestion + " (see '"
        + command.getCommandSpec().qualifiedName() + " --help')");
    command.getErr().flush();
    return command.getCommandSpec().exitCodeOnInvalidInput();
  }

  /** The command threw: what went wrong, as a user can act on it. */
  private static int failed(Exception e, CommandLine command) {
    LOG.debug("{} failed", command.getCommandSpec().qualifiedName(), e);
    command.getErr().println(prefix(command) + describe(e));
    command.getErr().flush();
    return command.getCommandSpec().exitCodeOnExecutionException();
  }

  static String prefix(CommandLine command) {
    return command.getCommandSpec().qualifiedName() + ": ";
  }

  /** One line for an exception: its message for the kinds that carry a user's mistake, else its type too. */
  static String describe(Throwable e) {
    if (e instanceof UncheckedIOException u && u.getCause() != null) {
      return describe(u.getCause());
    }
    if (e instanceof ListenFailure || e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
      return oneLine(e.getMessage());
    }
    if (e instanceof FileSystemException f) {
      return f.getFile() + ": " + fileReason(f);
    }
    if (e instanceof IOException) {
      return oneLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
    return "unexpected " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + oneLine(e.getMessage()))
        + " (the stack trace is logged at debug level)";
  }

  private static String fileReason(FileSystemException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    return e.getReason() == null ? e.getClass().getSimpleName() : e.getReason();
  }

  /** The first line of a message (Jackson, snakeyaml and others append snippets and locations on further lines). */
  static String oneLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).strip();
  }
}
