package io.gloo.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.logging.LogSettings;
import io.gloo.core.testing.Manifests;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/** --log-format and --log-level are global: before or after the subcommand, checked like any option. */
class LogOptionsTest {

  @TempDir
  Path dir;

  @AfterEach
  void restore() {
    LogSettings.get().format(LogSettings.Format.TEXT);
    LogSettings.get().level("root", Level.INFO);
  }

  @Test
  void globalOptionsSetTheFormatAndTheRootLevel() {
    Manifests.write(dir, "gateway.yaml", Manifests.docs(Manifests.gatewayClass(),
        Manifests.gateway("default", "gw", 8080)));
    CliTest.Run run = CliTest.run("--log-format", "json", "translate", "-f", dir.toString(), "--log-level", "debug");
    assertEquals(0, run.exit(), run.err());
    assertEquals(LogSettings.Format.JSON, LogSettings.get().format());
    assertTrue(LoggerFactory.getLogger("io.gloo.anything").isDebugEnabled());

    CliTest.run("--log-level", "warn", "--version");
    assertFalse(LoggerFactory.getLogger("io.gloo.anything").isInfoEnabled());
  }

  @Test
  void aBadValueIsOneLineAndExitTwo() {
    CliTest.Run run = CliTest.run("translate", "--log-format", "xml", "-f", dir.toString());
    assertEquals(2, run.exit());
    assertTrue(run.err().startsWith("gloo translate: "), run.err());
    assertTrue(run.err().contains("log format must be text or json, not 'xml'"), run.err());
    assertEquals(1, run.err().strip().lines().count(), run.err());
    assertEquals(2, CliTest.run("--log-level", "loud", "--version").exit());
  }
}
