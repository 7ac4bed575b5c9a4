package io.gloo.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --max-manifest-bytes} on the offline commands: a file over it is named and not read; bad sizes exit 2. */
class ManifestSizeCapCliTest {

  private static final String CONFIG_MAP = """
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: big, namespace: default}
      data: {value: "%s"}
      """;

  @Test
  void validateAndTranslateNameTheFileOverTheCap(@TempDir Path dir) throws Exception {
    Path big = Files.writeString(dir.resolve("big.yaml"), CONFIG_MAP.formatted("x".repeat(2048)));
    CliTest.Run validate = CliTest.run("validate", "-f", dir.toString(), "--max-manifest-bytes", "1KiB");
    assertEquals(1, validate.exit(), validate.out() + validate.err());
    assertEquals(big + ": cannot be read (it is " + Files.size(big) + " bytes, over the 1024-byte limit per manifest"
        + " file of --max-manifest-bytes)", validate.out().strip());

    CliTest.Run translate = CliTest.run("translate", "-f", dir.toString(), "--max-manifest-bytes", "1024");
    assertEquals(1, translate.exit(), translate.err());
    assertTrue(translate.err().contains("problem: " + big + ": cannot be read (it is "), translate.err());

    CliTest.Run routeCheck = CliTest.run("route-check", "-f", dir.toString(), "--max-manifest-bytes", "1k",
        "--request", "GET http://example.com/");
    assertTrue(routeCheck.err().contains(big + ": cannot be read (it is "), routeCheck.out() + routeCheck.err());

    CliTest.Run withDefault = CliTest.run("validate", "-f", dir.toString());
    assertFalse(withDefault.out().contains("cannot be read"), "16 MiB by default: " + withDefault.out());
  }

  @Test
  void aSizeThatIsNotOneIsOneLineAndExitTwo(@TempDir Path dir) throws Exception {
    CliTest.Run run = CliTest.run("translate", "-f", dir.toString(), "--max-manifest-bytes", "lots");
    assertEquals(2, run.exit());
    assertTrue(run.err().startsWith("gloo translate: Invalid value for option '--max-manifest-bytes': 'lots' is not a"
        + " positive size (e.g. 1048576, 512KiB, 16MiB)"), run.err());
    assertEquals(2, CliTest.run("serve", "--config-dir", dir.toString(), "--max-manifest-bytes", "0").exit());
  }
}
