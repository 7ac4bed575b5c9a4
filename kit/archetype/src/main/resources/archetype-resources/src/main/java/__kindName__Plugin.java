package ${package};

import io.gloo.spi.GlooPlugin;
import io.gloo.spi.PluginContext;
import io.gloo.spi.policy.PolicyKind;
import java.util.List;

/**
 * The plugin's entry point, listed in {@code META-INF/services/io.gloo.spi.GlooPlugin}. Gloo creates it with
 * {@link java.util.ServiceLoader} in the plugin's own classloader, calls {@link #start}, then {@link #policyKinds}.
 */
public final class ${kindName}Plugin implements GlooPlugin {

  @Override
  public void start(PluginContext context) {
    // Configuration (gloo serve --plugin-config ${artifactId}.KEY=VALUE) is read here with context.config(KEY).
    context.logger().info("{} started on SPI {}", context.pluginId(), context.spiVersion());
  }

  @Override
  public List<PolicyKind<?>> policyKinds() {
    return List.of(new ${kindName}Kind());
  }
}
