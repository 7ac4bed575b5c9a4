package io.gloo.plugins.ratelimit;

import io.gloo.plugins.ratelimit.service.ConfigGrants;
import io.gloo.plugins.ratelimit.translate.RateLimitOptions;
import io.gloo.plugins.ratelimit.translate.RateLimitTranslatorFactory;
import io.gloo.spi.policy.FieldExtension;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.Violation;
import io.gloo.spi.translate.PolicyTranslator;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The rate-limit fields this plugin claims on {@code gateway.solo.io} RouteOption and VirtualHostOption
 * ({@code ratelimitBasic} stays unsupported).
 */
final class RateLimitExtensions {

  static final GroupKind ROUTE_OPTION = new GroupKind("gateway.solo.io", "RouteOption");
  static final GroupKind VIRTUAL_HOST_OPTION = new GroupKind("gateway.solo.io", "VirtualHostOption");
  static final Set<String> FIELDS = Set.of("ratelimit", "ratelimitEarly", "ratelimitRegular", "rateLimitConfigs",
      "rateLimitEarlyConfigs", "rateLimitRegularConfigs");

  private RateLimitExtensions() {}

  static List<FieldExtension<?>> all(Supplier<RateLimitSettings> settings, Supplier<ConfigGrants> grants) {
    PolicyTranslator<RateLimitOptions> translator = RateLimitTranslatorFactory.create(settings, grants);
    return List.of(extension(ROUTE_OPTION, translator), extension(VIRTUAL_HOST_OPTION, translator));
  }

  private static FieldExtension<RateLimitOptions> extension(GroupKind target,
      PolicyTranslator<RateLimitOptions> translator) {
    return new FieldExtension<>() {
      @Override
      public GroupKind target() {
        return target;
      }

      @Override
      public Set<String> fields() {
        return FIELDS;
      }

      @Override
      public Class<RateLimitOptions> type() {
        return RateLimitOptions.class;
      }

      @Override
      public List<Violation> validate(RateLimitOptions value) {
        List<Violation> out = new ArrayList<>();
        value.validate(out);
        return out;
      }

      @Override
      public PolicyTranslator<RateLimitOptions> translator() {
        return translator;
      }
    };
  }
}
