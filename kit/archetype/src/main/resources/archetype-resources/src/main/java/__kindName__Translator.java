package ${package};

import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.gloo.spi.translate.PolicyTranslator;
import io.gloo.spi.translate.RouteContext;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sets the policy's request headers on the routes it applies to. Stateless; output is sorted, so the same policy
 * always yields the same Envoy configuration (Gloo publishes nothing when a translation did not change).
 */
final class ${kindName}Translator implements PolicyTranslator<${kindName}Spec> {

  @Override
  public void route(RouteContext context, ${kindName}Spec policy, Route.Builder route) {
    for (Map.Entry<String, String> header : new TreeMap<>(policy.options().set()).entrySet()) {
      route.addRequestHeadersToAdd(HeaderValueOption.newBuilder()
          // Envoy reads %...% in header values as substitution commands; the policy's values are literal
          .setHeader(HeaderValue.newBuilder().setKey(header.getKey()).setValue(header.getValue().replace("%", "%%")))
          .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD));
    }
  }
}
