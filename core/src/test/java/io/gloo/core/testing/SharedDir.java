package io.gloo.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;

/**
 * Locates the project's {@code shared/} data (Gloo example manifests, the Gateway API conformance suite):
 * {@code -Dgloo.shared.dir}, else a {@code shared} directory beside the checkout (or beside one of its parents) as
 * CI lays it out, else {@code /work/shared} on a developer machine.
 */
public final class SharedDir {

  private SharedDir() {}

  public static Optional<Path> find() {
    String property = System.getProperty("gloo.shared.dir");
    if (property != null) {
      return Optional.of(Paths.get(property)).filter(Files::isDirectory);
    }
    for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolveSibling("shared");
      if (dir.getParent() != null && Files.isDirectory(candidate.resolve("gloo-examples"))) {
        return Optional.of(candidate);
      }
    }
    return Optional.of(Paths.get("/work/shared")).filter(p -> Files.isDirectory(p.resolve("gloo-examples")));
  }
}
