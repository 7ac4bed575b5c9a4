package io.gloo.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code gloo} builds only the subcommand it runs (issue #21), and says the same as with all of them. */
class LazySubcommandsTest {

  @Test
  void theSubcommandNameIsTheFirstWordThatIsNotAGlobalOptionOrItsValue() {
    assertEquals("translate", GlooCli.subcommandName(new String[] {"translate", "-f", "x"}));
    assertEquals("translate", GlooCli.subcommandName(new String[] {"--log-level", "debug", "translate"}));
    assertEquals("serve", GlooCli.subcommandName(new String[] {"--log-format=json", "serve"}));
    assertNull(GlooCli.subcommandName(new String[] {"--version"}));
    assertNull(GlooCli.subcommandName(new String[] {"--log-level", "debug"}));
    assertNull(GlooCli.subcommandName(new String[] {}));
  }

  @Test
  void aNamedSubcommandIsTheOnlyOneBuiltAndOthersGetThemAll() {
    assertEquals(List.of("translate"),
        List.copyOf(GlooCli.commandLine(new String[] {"translate", "-f", "x"}).getSubcommands().keySet()));
    assertEquals(List.of(), List.copyOf(GlooCli.commandLine(new String[] {"--version"}).getSubcommands().keySet()));
    assertEquals(GlooCli.SUBCOMMANDS.size(),
        GlooCli.commandLine(new String[] {"--help"}).getSubcommands().size());
    assertEquals(GlooCli.SUBCOMMANDS.size(),
        GlooCli.commandLine(new String[] {"transalte"}).getSubcommands().size(), "a misspelling gets suggestions");
  }

  @Test
  void helpVersionAndErrorsReadAsWithEverySubcommand() {
    for (String[] args : List.of(new String[] {"translate", "--help"}, new String[] {"--version"},
        new String[] {"translate", "--bogus"}, new String[] {"--log-level", "loud", "translate", "-f", "x"},
        new String[] {"validate", "--help"})) {
      assertEquals(run(GlooCli.commandLine(), args), run(GlooCli.commandLine(args), args), String.join(" ", args));
    }
    assertTrue(run(GlooCli.commandLine(new String[] {"--version"}), "--version").startsWith("0 gloo "));
  }

  private static String run(CommandLine cli, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int status = cli.execute(args);
    return status + " " + out + "|" + err;
  }
}
