package io.gloo.plugins.ratelimit.translate;

import io.gloo.plugins.ratelimit.RateLimitSettings;
import io.gloo.plugins.ratelimit.service.ConfigGrants;
import io.gloo.spi.translate.PolicyTranslator;
import java.util.function.Supplier;

/** Builds the translator of the rate-limit option fields (it reads the plugin's settings at each call). */
public final class RateLimitTranslatorFactory {

  private RateLimitTranslatorFactory() {}

  public static PolicyTranslator<RateLimitOptions> create(Supplier<RateLimitSettings> settings,
      Supplier<ConfigGrants> grants) {
    return new RateLimitTranslator(settings, grants);
  }
}
