package io.gloo.core.testing;

import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;
import static org.junit.jupiter.api.Assertions.fail;

import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * {@code gloo serve} against a Kubernetes API in tests: fabric8's mock API server in CRUD mode, and the waits the
 * Kubernetes-mode serve tests share (statuses written back, routes pushed to a proxy).
 */
public final class MockKube {

  /** The mock API server logs every request through java.util.logging at INFO; held so the level sticks. */
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private MockKube() {}

  /** A CRUD mock API server, not yet listening ({@code init()} it, on a port of its own or a given one). */
  public static KubernetesMockServer newApi() {
    return new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
  }

  /** A CRUD mock API server, listening. */
  public static KubernetesMockServer start() {
    KubernetesMockServer api = newApi();
    api.init();
    return api;
  }

  /** Waits until {@code condition} holds, a RuntimeException counting as not yet (e.g. a status not there yet). */
  public static void await(Duration wait, BooleanSupplier condition, Supplier<String> describe)
      throws InterruptedException {
    Await.until(wait, () -> safely(condition), describe);
  }

  /** {@code condition}'s value, a RuntimeException counting as false (e.g. a status not there yet). */
  public static boolean safely(BooleanSupplier condition) {
    try {
      return condition.getAsBoolean();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The condition of {@code type}; fails the test if there is none. */
  public static Condition condition(List<Condition> conditions, String type) {
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst()
        .orElseThrow(() -> new AssertionError("no " + type + " condition in " + conditions));
  }

  /** The route configurations of an RDS response, as text. */
  public static String routes(DiscoveryResponse rds) throws Exception {
    StringBuilder text = new StringBuilder();
    for (var any : rds.getResourcesList()) {
      text.append(any.unpack(RouteConfiguration.class));
    }
    return text.toString();
  }

  /** Reads pushed responses (ACKing them) until an RDS response satisfies {@code check}. */
  public static void awaitRoutes(AdsTestClient envoy, String routeName, Predicate<String> check, Duration wait)
      throws Exception {
    long deadline = System.nanoTime() + wait.toNanos();
    String last = "(none)";
    while (System.nanoTime() < deadline) {
      DiscoveryResponse r = envoy.poll(200);
      if (r == null) {
        continue;
      }
      if (r.getTypeUrl().equals(ROUTE_TYPE_URL)) {
        envoy.ack(r, List.of(routeName));
        last = routes(r);
        if (check.test(last)) {
          return;
        }
      } else {
        envoy.ack(r, List.of());
      }
    }
    fail("routes not as expected within " + wait + "; last: " + last);
  }
}
