package io.gloo.core.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The standalone servers' metrics port: /metrics and /healthz, nothing else, no writes. */
class MetricsServerTest {

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesTheRegistryInPrometheusTextAndNothingElse() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Counter.builder("gloo.test.things").register(registry).increment(3);
    try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry)) {
      String base = "http://127.0.0.1:" + server.port();
      HttpResponse<String> metrics = send(HttpRequest.newBuilder(URI.create(base + "/metrics")));
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"),
          metrics.headers().toString());
      assertTrue(metrics.body().contains("gloo_test_things_total 3.0"), metrics.body());
      assertEquals("ok\n", send(HttpRequest.newBuilder(URI.create(base + "/healthz"))).body());
      assertEquals(404, send(HttpRequest.newBuilder(URI.create(base + "/snapshots"))).statusCode());
      assertEquals(405, send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
          .POST(HttpRequest.BodyPublishers.ofString("x"))).statusCode());
    }
  }
}
