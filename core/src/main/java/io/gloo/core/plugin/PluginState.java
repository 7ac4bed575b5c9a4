package io.gloo.core.plugin;

/** What became of a plugin archive. */
public enum PluginState {
  /** Loaded and started; its kinds are registered. */
  STARTED,
  /** Not loaded: turned off by {@code disabled.txt}, {@code enabled.txt} or {@code --plugins}. */
  DISABLED,
  /** Not loaded, or loaded and unloaded again: see the failure reason. */
  FAILED;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
