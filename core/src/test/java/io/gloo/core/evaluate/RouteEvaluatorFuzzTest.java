package io.gloo.core.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.translate.Translator;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.watch.DirectorySource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Fuzzes the route evaluator ({@code gloo route-check}, the admin API's {@code /route-check}) with requests against
 * every Gateway of the golden inputs: ports, schemes, SNI, authorities, methods, paths and headers as the fuzzer
 * makes them, and request lines as {@link TestRequest#parse} reads them.
 *
 * <p>Invariants: {@link TestRequest#parse} throws only its documented {@link IllegalArgumentException}; evaluation
 * never throws, always decides (an outcome and a trace), is a pure function (the same request decides the same),
 * and forwards only to a cluster the Gateway has.
 */
class RouteEvaluatorFuzzTest {

  private static final List<XdsResources> GATEWAYS = goldenGateways();
  private static final List<RouteEvaluator> EVALUATORS = GATEWAYS.stream().map(RouteEvaluator::new).toList();
  private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH", "CONNECT"};

  private static List<XdsResources> goldenGateways() {
    List<XdsResources> gateways = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(GoldenFiles.sourceDir("golden")); Translator translator = new Translator()) {
      for (Path dir : dirs.sorted().toList()) {
        Path input = dir.resolve("input.yaml");
        if (Files.isRegularFile(input)) {
          gateways.addAll(translator.translate(DirectorySource.load(List.of(input))).gateways().values());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return gateways;
  }

  @FuzzTest
  void evaluate(FuzzedDataProvider data) {
    int index = data.consumeInt(0, GATEWAYS.size() - 1);
    XdsResources xds = GATEWAYS.get(index);
    TestRequest request;
    if (data.consumeBoolean()) {
      List<String> headers = new ArrayList<>();
      for (int i = data.consumeInt(0, 4); i > 0; i--) {
        headers.add(data.consumeString(60));
      }
      String sni = data.consumeBoolean() ? data.consumeString(40) : null;
      long random = data.consumeLong();
      try {
        request = TestRequest.parse(data.consumeRemainingAsString(), headers, random, sni);
      } catch (IllegalArgumentException documented) {
        return;
      }
    } else {
      request = request(data, xds);
    }
    RouteDecision decision = EVALUATORS.get(index).evaluate(request);
    assertNotNull(decision.outcome(), "an outcome");
    assertFalse(decision.trace().isEmpty(), "a trace");
    assertEquals(decision, EVALUATORS.get(index).evaluate(request), "the same request decides the same");
    if (decision.outcome() == RouteDecision.Outcome.FORWARD && decision.cluster() != null) {
      assertTrue(xds.clusters().stream().map(Cluster::getName).anyMatch(decision.cluster()::equals),
          () -> "forwarded to a cluster the Gateway lacks: " + decision.cluster());
    }
  }

  private static TestRequest request(FuzzedDataProvider data, XdsResources xds) {
    TestRequest.Builder b = TestRequest.builder();
    List<Listener> listeners = xds.listeners();
    if (!listeners.isEmpty() && data.consumeBoolean()) {
      b.port(listeners.get(data.consumeInt(0, listeners.size() - 1)).getAddress().getSocketAddress()
          .getPortValue());
    } else {
      b.port(data.consumeInt());
    }
    b.scheme(data.consumeBoolean() ? "https" : data.consumeBoolean() ? "http" : data.consumeString(8));
    if (data.consumeBoolean()) {
      b.sni(data.consumeString(40));
    }
    b.authority(data.consumeString(60));
    b.method(data.consumeBoolean() ? METHODS[data.consumeInt(0, METHODS.length - 1)] : data.consumeString(10));
    b.path(data.consumeString(120));
    b.randomValue(data.consumeLong());
    for (int i = data.consumeInt(0, 6); i > 0; i--) {
      b.header(data.consumeString(30), data.consumeString(60));
    }
    for (int i = data.consumeInt(0, 2); i > 0; i--) {
      b.responseHeader(data.consumeString(30), data.consumeString(60));
    }
    return b.build();
  }
}
