package io.gloo.plugins.ratelimit.translate;

import io.gloo.spi.translate.HttpFilterStage;

/**
 * Gloo's rate-limit stages. Each has its own {@code envoy.filters.http.ratelimit} instance whose Envoy {@code stage}
 * number matches the {@code stage} of the route's and virtual host's rate limits for it (Envoy only applies rate
 * limits to the filter of the same stage).
 *
 * <ul>
 *   <li>{@code EARLY} ({@code ratelimitEarly}, {@code rateLimitEarlyConfigs}): before authentication — first in
 *       Gloo's AuthN stage;
 *   <li>{@code DEFAULT} ({@code ratelimit}, {@code rateLimitConfigs}): after authentication and authorization, in the
 *       RateLimit stage;
 *   <li>{@code REGULAR} ({@code ratelimitRegular}, {@code rateLimitRegularConfigs}): in the RateLimit stage too, after
 *       the default filter.
 * </ul>
 */
public enum Stage {
  EARLY(1, HttpFilterStage.AUTHN, -100, "envoy.filters.http.ratelimit.early", "ratelimitEarly",
      "rateLimitEarlyConfigs"),
  DEFAULT(0, HttpFilterStage.RATELIMIT, 0, "envoy.filters.http.ratelimit", "ratelimit", "rateLimitConfigs"),
  REGULAR(2, HttpFilterStage.RATELIMIT, 10, "envoy.filters.http.ratelimit.regular", "ratelimitRegular",
      "rateLimitRegularConfigs");

  final int envoyStage;
  final HttpFilterStage filterStage;
  final int weight;
  final String filterName;
  final String inlineField;
  final String configsField;

  Stage(int envoyStage, HttpFilterStage filterStage, int weight, String filterName, String inlineField,
      String configsField) {
    this.envoyStage = envoyStage;
    this.filterStage = filterStage;
    this.weight = weight;
    this.filterName = filterName;
    this.inlineField = inlineField;
    this.configsField = configsField;
  }

  public int envoyStage() {
    return envoyStage;
  }
}
