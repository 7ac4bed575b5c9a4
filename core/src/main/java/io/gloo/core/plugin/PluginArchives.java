package io.gloo.core.plugin;

import io.gloo.spi.SpiVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.pf4j.ManifestPluginDescriptorFinder;
import org.pf4j.PluginDescriptor;
import org.pf4j.VersionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plugin archives on disk: expanding a zip (or copying a jar) into a work directory, reading its manifest, and
 * checking what can be checked without loading any class (manifest, id, version, SPI range). Stateless.
 */
final class PluginArchives {

  private static final Logger LOG = LoggerFactory.getLogger(PluginArchives.class);

  private PluginArchives() {}

  /**
   * What an archive's manifest says, and why it cannot load (null when nothing found so far stops it).
   *
   * @param category the {@link LoadFailures} reason label of {@code problem}
   */
  record Checked(String id, String version, String problem, String category) {}

  /** Checks {@code archive} from a temporary copy in {@code workDir} (deleted again); never throws. */
  static Checked check(Path archive, Path workDir, Descriptors descriptors, VersionManager versions) {
    Path copy = null;
    try {
      copy = prepare(archive, workDir, System.nanoTime());
      PluginDescriptor descriptor = descriptors.from(readManifest(copy));
      String id = descriptor.getPluginId();
      String version = descriptor.getVersion() == null ? "" : descriptor.getVersion();
      if (id == null || id.isBlank()) {
        return new Checked("", version, "no Plugin-Id in the manifest", LoadFailures.MANIFEST);
      }
      if (version.isBlank()) {
        return new Checked(id, "", "no Plugin-Version in the manifest", LoadFailures.MANIFEST);
      }
      String requires = descriptor.getRequires() == null || descriptor.getRequires().equals("*")
          ? "" : descriptor.getRequires().strip();
      if (!requires.isEmpty() && !satisfies(versions, requires)) {
        return new Checked(id, version, excludes(requires), LoadFailures.REQUIRES);
      }
      return new Checked(id, version, null, null);
    } catch (IOException | RuntimeException e) {
      String message = e instanceof NoSuchFileException ? "missing " + e.getMessage()
          : e.getClass().getSimpleName() + ": " + e.getMessage();
      return new Checked("", "", "unreadable archive: " + message, LoadFailures.ARCHIVE);
    } finally {
      if (copy != null) {
        deleteRecursively(copy);
      }
    }
  }

  /** Whether the SPI core provides is in {@code requires} (a PF4J/semver range). */
  static boolean satisfies(VersionManager versions, String requires) {
    try {
      return versions.checkVersionConstraint(SpiVersion.CURRENT, requires);
    } catch (RuntimeException e) {
      return false;
    }
  }

  static String excludes(String requires) {
    return "Plugin-Requires " + requires + " excludes SPI version " + SpiVersion.CURRENT;
  }

  /** Expands a zip, or copies a jar, into a fresh directory/file of the work directory. */
  static Path prepare(Path archive, Path workDir, long serial) throws IOException {
    String name = archive.getFileName().toString();
    Path target = workDir.resolve(name + "-" + serial);
    if (name.toLowerCase(Locale.ROOT).endsWith(".jar")) {
      return Files.copy(archive, target.resolveSibling(target.getFileName() + ".jar"),
          StandardCopyOption.REPLACE_EXISTING);
    }
    Files.createDirectories(target);
    try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(archive))) {
      boolean any = false;
      for (ZipEntry zipEntry; (zipEntry = zip.getNextEntry()) != null; ) {
        any = true;
        Path out = target.resolve(zipEntry.getName()).normalize();
        if (!out.startsWith(target)) {
          throw new IOException("archive entry " + zipEntry.getName() + " points outside the archive");
        }
        if (zipEntry.isDirectory()) {
          Files.createDirectories(out);
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(zip, out, StandardCopyOption.REPLACE_EXISTING);
        }
      }
      if (!any) {
        throw new IOException("not a zip archive, or empty");
      }
    } catch (IOException e) {
      deleteRecursively(target);
      throw e;
    }
    return target;
  }

  /** The manifest of an expanded zip ({@code classes/META-INF/MANIFEST.MF}) or of a jar. */
  static Manifest readManifest(Path expanded) throws IOException {
    if (Files.isDirectory(expanded)) {
      for (String candidate : List.of("classes/META-INF/MANIFEST.MF", "META-INF/MANIFEST.MF")) {
        Path file = expanded.resolve(candidate);
        if (Files.isRegularFile(file)) {
          try (InputStream in = Files.newInputStream(file)) {
            return new Manifest(in);
          }
        }
      }
      throw new NoSuchFileException("classes/META-INF/MANIFEST.MF");
    }
    try (JarFile jar = new JarFile(expanded.toFile(), false)) {
      Manifest manifest = jar.getManifest();
      if (manifest == null) {
        throw new NoSuchFileException("META-INF/MANIFEST.MF");
      }
      return manifest;
    }
  }

  static void deleteRecursively(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.debug("cannot delete {}: {}", path, e.getMessage());
    }
  }

  /** Exposes PF4J's manifest → descriptor mapping (Plugin-Id, Plugin-Version, Plugin-Requires, ...). */
  static final class Descriptors extends ManifestPluginDescriptorFinder {
    PluginDescriptor from(Manifest manifest) {
      return createPluginDescriptor(manifest);
    }
  }
}
