package io.gloo.core.plugin;

import io.gloo.spi.GlooPlugin;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

/**
 * One archive of the plugins directory, as {@link PluginManager} tracks it: what was loaded from it and what has to
 * be undone on unload. Not thread-safe: guarded by the manager's scan lock.
 */
final class PluginEntry {

  /** What identifies one version of an archive file. */
  record Fingerprint(long size, FileTime modified, Object fileKey) {
    static Fingerprint of(BasicFileAttributes attrs) {
      return new Fingerprint(attrs.size(), attrs.lastModifiedTime(), attrs.fileKey());
    }
  }

  /** A kind as registered in the KindRegistry (strings only, so nothing here pins the plugin). */
  record RegisteredKind(String apiVersion, String kind) {}

  final Path archive;
  final Fingerprint fingerprint;
  LoadedPlugin view;
  /** The id the selection was decided for, and whether the plugin was turned off then. */
  boolean disabled;
  /** Failed because of another archive (duplicate id, kind taken): retried when anything else changes. */
  boolean retry;
  PluginClassLoader loader;
  /** The expanded copy the loader reads (private to this entry, or a shared {@link PluginCache} copy). */
  Path expanded;
  final List<GlooPlugin> instances = new ArrayList<>();
  final List<DefaultPluginContext> contexts = new ArrayList<>();
  final List<RegisteredKind> kinds = new ArrayList<>();
  /** A replacement archive that failed to load while this (previous) version kept serving; null if none. */
  PluginProblem rejected;

  PluginEntry(Path archive, Fingerprint fingerprint) {
    this.archive = archive;
    this.fingerprint = fingerprint;
  }
}
