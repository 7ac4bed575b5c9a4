package example.badrequires;

import io.gloo.spi.GlooPlugin;
import io.gloo.spi.PluginContext;

/** Test plugin whose Plugin-Requires ({@code >=99.0.0}) excludes every SPI version: it must never start. */
public final class BadRequiresPlugin implements GlooPlugin {
  @Override
  public void start(PluginContext context) {
    throw new IllegalStateException("a plugin whose Plugin-Requires excludes the SPI version must not be started");
  }
}
