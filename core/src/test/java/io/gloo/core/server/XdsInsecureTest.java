package io.gloo.core.server;

import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.store.ResourceKey;
import io.gloo.core.testing.AdsTestClient;
import io.gloo.core.testing.LogCapture;
import io.gloo.core.testing.Manifests;
import io.gloo.core.xds.BootstrapGenerator;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --xds-insecure} (no CA): plaintext xDS for a local try-out, said loudly in the log and in /metrics. */
class XdsInsecureTest {

  @TempDir
  Path dir;

  @Test
  void plaintextServesButWarnsAndShowsInMetrics() throws Exception {
    Manifests.write(dir, "gw.yaml", Manifests.docs(Manifests.gatewayClass(), Manifests.gateway("default", "gw", 8080)));
    try (LogCapture logs = new LogCapture();
        GlooServer server = GlooServer.start(new ServeOptions(dir, new InetSocketAddress("127.0.0.1", 0),
            new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(20)))) {
      assertTrue(logs.text().contains("WARN io.gloo.core.server.GlooServer - xDS is served in PLAINTEXT without"
          + " authentication (--xds-insecure)"), logs.text());
      assertTrue(server.metrics().scrape().contains("gloo_xds_insecure 1.0"), server.metrics().scrape());
      try (AdsTestClient envoy = AdsTestClient.connect("127.0.0.1", server.xdsPort(),
          BootstrapGenerator.bootstrap(new ResourceKey("Gateway", "default", "gw"), "127.0.0.1:9977").getNode())) {
        assertEquals(1, envoy.request(LISTENER_TYPE_URL, List.of(), "", "").getResourcesCount());
      }
    }
  }
}
