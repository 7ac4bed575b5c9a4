package io.gloo.it;

import io.gloo.core.plugin.PluginManager;
import io.gloo.core.testing.ServeFixture;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The enterprise plugin set in tests: the plugins' own service ports on free ports (port 0, and free ports for the
 * config streams, which must not share a port with the services), so that a test never collides with a gateway (or
 * another test run) already using Gloo's defaults 18081/18082 and 8083/8084.
 */
final class EnterprisePlugins {

  private EnterprisePlugins() {}

  /** Where the build put the enterprise archives ({@code -Dgloo.it.plugins}). */
  static Path dir() {
    return Path.of(System.getProperty("gloo.it.plugins", "target/plugins-enterprise"));
  }

  static PluginManager.Options options(Path dir) {
    return new PluginManager.Options(dir, Set.of(),
        Map.of("ratelimit", Map.of("port", "0", "configStreamPort", freePort()),
            "extauth", Map.of("port", "0", "configStreamPort", freePort())), null, null);
  }

  /** {@code gloo serve} of {@code dir/config} with the enterprise set; a test sets the ports it talks to. */
  static ServeFixture serve(Path dir) {
    return ServeFixture.in(dir).plugins(dir())
        .setting("ratelimit", "port", "0").setting("ratelimit", "configStreamPort", freePort())
        .setting("extauth", "port", "0").setting("extauth", "configStreamPort", freePort());
  }

  /**
   * Secret default/alice holding API key {@code apiKey} (user-id alice, label team: infra), and AuthConfig
   * default/keys, which accepts the keys of Secrets so labelled.
   */
  static String apiKeyAuth(String apiKey) {
    return """
        apiVersion: v1
        kind: Secret
        metadata: {name: alice, namespace: default, labels: {team: infra}}
        type: extauth.solo.io/apikey
        stringData: {api-key: %s, user-id: alice}
        ---
        apiVersion: enterprise.gloo.solo.io/v1
        kind: AuthConfig
        metadata: {name: keys, namespace: default}
        spec:
          configs:
          - apiKeyAuth:
              k8sSecretApikeyStorage: {labelSelector: {team: infra}}
        """.formatted(apiKey);
  }

  static String freePort() {
    return ServeFixture.freePort();
  }
}
