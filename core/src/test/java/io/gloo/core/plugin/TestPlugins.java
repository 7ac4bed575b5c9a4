package io.gloo.core.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The real plugin archives built by plugins/testing/* and copied to core/target/test-plugins/ by Maven. */
final class TestPlugins {

  static final String HEADERS = "test-headers";
  static final String LIBV1 = "test-libv1";
  static final String LIBV2 = "test-libv2";
  static final String BAD_REQUIRES = "test-bad-requires";

  private TestPlugins() {}

  static Path archive(String id) {
    String dir = System.getProperty("gloo.test.plugins", "target/test-plugins");
    Path zip = Path.of(dir, id + ".zip");
    if (!Files.isRegularFile(zip)) {
      throw new IllegalStateException(zip + " is missing: build with Maven (mvn -pl core -am test), which packages"
          + " plugins/testing/* and copies their archives there");
    }
    return zip;
  }

  /** Copies an archive into {@code dir} atomically (as a deployment tool should), as {@code ID.zip}. */
  static Path install(String id, Path dir) throws IOException {
    return install(id, dir, id + ".zip");
  }

  static Path install(String id, Path dir, String fileName) throws IOException {
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + fileName + ".tmp");
    Files.copy(archive(id), tmp, StandardCopyOption.REPLACE_EXISTING);
    return Files.move(tmp, dir.resolve(fileName), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }
}
