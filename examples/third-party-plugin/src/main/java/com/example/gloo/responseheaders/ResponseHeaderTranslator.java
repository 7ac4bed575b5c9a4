package com.example.gloo.responseheaders;

import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.gloo.spi.translate.Diagnostics;
import io.gloo.spi.translate.PolicyTranslator;
import io.gloo.spi.translate.RouteContext;
import io.gloo.spi.translate.VirtualHostContext;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Adds the policy's headers to, and removes its names from, the responses of the routes and virtual hosts it
 * applies to. Stateless; output is sorted, so the same policy always yields the same Envoy configuration (Gloo
 * publishes nothing when a translation did not change).
 */
final class ResponseHeaderTranslator implements PolicyTranslator<ResponseHeaderPolicySpec> {

  @Override
  public void route(RouteContext context, ResponseHeaderPolicySpec policy, Route.Builder route) {
    apply(context.diagnostics(), policy.options(), route.getResponseHeadersToAddList(),
        route::addResponseHeadersToAdd, route::addResponseHeadersToRemove);
  }

  @Override
  public void virtualHost(VirtualHostContext context, ResponseHeaderPolicySpec policy,
      VirtualHost.Builder virtualHost) {
    apply(context.diagnostics(), policy.options(), virtualHost.getResponseHeadersToAddList(),
        virtualHost::addResponseHeadersToAdd, virtualHost::addResponseHeadersToRemove);
  }

  private static void apply(Diagnostics diagnostics, ResponseHeaderPolicySpec.Options options,
      List<HeaderValueOption> existing, Consumer<HeaderValueOption> add, Consumer<String> remove) {
    if (options == null) {
      return;
    }
    Set<String> already = existing.stream().map(o -> o.getHeader().getKey().toLowerCase(Locale.ROOT))
        .collect(Collectors.toSet());
    for (Map.Entry<String, String> header : new TreeMap<>(options.add()).entrySet()) {
      if (already.contains(header.getKey().toLowerCase(Locale.ROOT))) {
        // Reported in the status of the policy that set options.add (not an error: both values are sent).
        diagnostics.warning("options.add[" + header.getKey() + "]",
            "the route already adds this header (e.g. a ResponseHeaderModifier filter); both values are sent");
      }
      add.accept(HeaderValueOption.newBuilder()
          .setHeader(HeaderValue.newBuilder().setKey(header.getKey()).setValue(literal(header.getValue())))
          .setAppendAction(HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD)
          .build());
    }
    new TreeSet<>(options.remove()).forEach(remove);
  }

  /** Envoy reads {@code %...%} in header values as substitution commands; the policy's values are literal. */
  static String literal(String value) {
    return value.replace("%", "%%");
  }
}
