package io.gloo.core.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.pf4j.DefaultPluginStatusProvider;
import org.pf4j.PluginStatusProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a plugins directory holds, as {@link PluginManager} reads it on every scan: every regular, non-hidden
 * {@code *.zip} and {@code *.jar} file directly in it (with what identifies its current version), and PF4J's
 * selection files. Stateless.
 */
final class PluginDirectory {

  private static final Logger LOG = LoggerFactory.getLogger(PluginManager.class);

  private PluginDirectory() {}

  /** Archives in the directory, sorted by file name; empty if the directory does not exist. */
  static Map<Path, PluginEntry.Fingerprint> archives(Path dir) {
    Map<Path, PluginEntry.Fingerprint> found = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return found;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        String name = file.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        if (name.startsWith(".") || !(lower.endsWith(".zip") || lower.endsWith(".jar"))) {
          continue;
        }
        try {
          BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
          if (attrs.isRegularFile()) {
            found.put(file, PluginEntry.Fingerprint.of(attrs));
          }
        } catch (IOException e) {
          LOG.debug("{} vanished while listing", file);
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot list plugins directory {}: {}", dir, e.getMessage());
    }
    return found;
  }

  /** PF4J's enabled.txt / disabled.txt of the directory (re-read on every call); null when there is none to read. */
  static PluginStatusProvider status(Path dir) {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    try {
      return new DefaultPluginStatusProvider(dir);
    } catch (RuntimeException e) {
      LOG.warn("cannot read enabled.txt/disabled.txt in {}: {}", dir, e.getMessage());
      return null;
    }
  }
}
