package io.gloo.spi;

import io.gloo.spi.policy.FieldExtension;
import io.gloo.spi.policy.PolicyKind;
import java.util.List;

/**
 * The entry point of a plugin, found with {@link java.util.ServiceLoader} in the plugin's own classloader (list the
 * implementation in {@code META-INF/services/io.gloo.spi.GlooPlugin}). Every method has a default so the SPI can grow
 * without breaking existing plugins.
 *
 * <p>Lifecycle: core calls {@link #start} once after loading the plugin, then asks for {@link #policyKinds}; it
 * calls {@link #stop} before unloading it (on shutdown, or when its archive is removed or replaced).
 */
public interface GlooPlugin {

  /** The policy kinds this plugin serves. Called after {@link #start}; the result must not change afterwards. */
  default List<PolicyKind<?>> policyKinds() {
    return List.of();
  }

  /**
   * Fields of other plugins' kinds that this plugin translates (see {@link FieldExtension}). Called after
   * {@link #start}; the result must not change afterwards.
   */
  default List<FieldExtension<?>> fieldExtensions() {
    return List.of();
  }

  /** Called once when the plugin is loaded: register gRPC or background services, read configuration. */
  default void start(PluginContext context) {}

  /** Called once before the plugin is unloaded: release threads, sockets and caches. */
  default void stop() {}
}
