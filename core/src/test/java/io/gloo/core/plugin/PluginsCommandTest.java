package io.gloo.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.cli.GlooCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PluginsCommandTest {

  @TempDir
  Path temp;

  @Test
  void listsEveryPluginWithStateKindsAndSpiRange() throws Exception {
    Path dir = temp.resolve("plugins");
    for (String id : List.of(TestPlugins.HEADERS, TestPlugins.LIBV1, TestPlugins.BAD_REQUIRES)) {
      TestPlugins.install(id, dir);
    }
    StringWriter out = new StringWriter();
    CommandLine cli = GlooCli.commandLine();
    cli.setOut(new PrintWriter(out));
    int exit = cli.execute("plugins", "--plugins-dir", dir.toString());
    String text = out.toString();
    assertEquals(0, exit, text);
    List<String> lines = text.lines().toList();
    assertTrue(lines.get(0).matches("ID\\s+VERSION\\s+STATE\\s+SPI\\s+KINDS"), text);
    assertTrue(text.contains("test-bad-requires  0.1.0-SNAPSHOT"), text);
    assertTrue(text.contains("failed: Plugin-Requires >=99.0.0 excludes SPI version " + io.gloo.spi.SpiVersion.CURRENT + ""), text);
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("test-headers ") && l.contains("started")
        && l.contains(">=0.1.0 & <1.0.0")
        && l.endsWith("example.gloo.io/v1alpha1 ResponseHeaders [EXTENSION_REF,TARGET_REF]")), text);
    assertTrue(text.contains("example.gloo.io/v1alpha1 LibV1 [REFERENCED]"), text);
  }

  @Test
  void saysSoWhenThereAreNoPlugins() {
    StringWriter out = new StringWriter();
    CommandLine cli = GlooCli.commandLine();
    cli.setOut(new PrintWriter(out));
    assertEquals(0, cli.execute("plugins", "--plugins-dir", temp.resolve("none").toString()));
    assertTrue(out.toString().startsWith("no plugins in "), out.toString());
  }
}
