package io.gloo.plugins.extauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.gloo.core.testing.OfflinePluginContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Loaded by an offline command ({@code PluginContext.Mode.OFFLINE}) the plugin registers no service, view or
 * background service (so it opens no port, connects to nothing, starts no thread) and still translates.
 */
class OfflineModeTest {

  @Test
  void offlineThePluginRegistersNothingAndStillTranslates() {
    OfflinePluginContext context = new OfflinePluginContext("extauth", Map.of("port", "1", "configStreamPort", "2", "sessionSecret", "s3cr3t-s3cr3t-s3cr3t"));
    ExtAuthPlugin plugin = new ExtAuthPlugin();
    plugin.start(context);
    try {
      assertEquals(List.of(), context.registered);
      assertEquals(1, plugin.policyKinds().size());
      assertFalse(plugin.fieldExtensions().isEmpty());
      assertNotNull(plugin.policyKinds().get(0).sink(), "configs are still compiled by the sink");
    } finally {
      plugin.stop();
    }
  }
}
