package io.gloo.core.server;

import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.xds.InvalidRoute;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code gloo_invalid_routes{outcome}}: how many Envoy routes of the configuration served now Envoy would have
 * rejected, by what is served instead: {@code replaced} (a direct 500 with the route's match), {@code dropped} (left
 * out: its match itself is invalid, or {@code --route-replacement=strict}), {@code unresolved} (served, with its
 * missing clusters answering 500). Set from each translation's result; zero when every route is valid. A gauge, not
 * a counter: the same bad route is found again by every translation until it is fixed.
 */
final class InvalidRouteMetrics {

  private final Map<InvalidRoute.Outcome, AtomicInteger> counts = new EnumMap<>(InvalidRoute.Outcome.class);

  InvalidRouteMetrics(MeterRegistry registry) {
    for (InvalidRoute.Outcome outcome : InvalidRoute.Outcome.values()) {
      AtomicInteger count = new AtomicInteger();
      counts.put(outcome, count);
      Gauge.builder("gloo.invalid.routes", count, AtomicInteger::get)
          .description("Envoy routes Envoy would reject, by what is served instead (replaced by a 500, dropped,"
              + " unresolved clusters)")
          .tag("outcome", outcome.name().toLowerCase(Locale.ROOT)).register(registry);
    }
  }

  void translated(TranslationResult result) {
    counts.forEach((outcome, count) -> count.set(result.invalidRoutes(outcome)));
  }
}
