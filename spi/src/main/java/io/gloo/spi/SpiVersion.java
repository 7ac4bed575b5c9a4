package io.gloo.spi;

/**
 * The version of the plugin SPI this jar provides. Plugins state the range they need in their {@code Plugin-Requires}
 * manifest entry; core refuses to load a plugin whose range excludes this version.
 */
public final class SpiVersion {

  /** Semantic version of the SPI contract; bumped in its minor part when the SPI grows compatibly (0.3.0: {@code PluginContext.mode()}, {@code PolicyKind.failClosed()}; 0.4.0: {@code PluginMetrics.timer()}, {@code PluginMetrics.gauge()}). */
  public static final String CURRENT = "0.4.0";

  /** The manifest attribute of the SPI jar that carries the version. */
  public static final String MANIFEST_ATTRIBUTE = "Gloo-Spi-Version";

  private SpiVersion() {}
}
