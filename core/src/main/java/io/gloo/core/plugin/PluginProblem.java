package io.gloo.core.plugin;

import java.nio.file.Path;

/**
 * A plugin archive that failed to load. Immutable.
 *
 * @param plugin the plugin id (the archive's file name when its manifest names none)
 * @param version the version that failed ("" when unknown)
 * @param archive the archive in the plugins directory
 * @param reason why, one line
 * @param serving the version that keeps serving instead (the one the failed archive replaced), or null when none
 * @param fingerprint identifies the refused archive version (so it is not checked again); null when not needed
 */
public record PluginProblem(String plugin, String version, Path archive, String reason, String serving,
    Object fingerprint) {

  public PluginProblem(String plugin, String version, Path archive, String reason, String serving) {
    this(plugin, version, archive, reason, serving, null);
  }

  /**
   * One line without the reason (which may name files and settings), for where anyone may read it ({@code /readyz}):
   * {@code plugin ID VERSION failed to load[, VERSION keeps serving]}.
   */
  public String brief() {
    return "plugin " + plugin + (version == null || version.isEmpty() ? "" : " " + version) + " failed to load"
        + (serving == null ? "" : ", " + serving + " keeps serving");
  }

  /** One line: {@code plugin ID VERSION (FILE) failed to load: REASON[; VERSION keeps serving]}. */
  public String describe() {
    return "plugin " + plugin + (version == null || version.isEmpty() ? "" : " " + version) + " ("
        + archive.getFileName() + ") failed to load: " + reason
        + (serving == null ? "" : "; version " + serving + " keeps serving");
  }
}
