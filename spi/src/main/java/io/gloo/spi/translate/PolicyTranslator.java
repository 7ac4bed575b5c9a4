package io.gloo.spi.translate;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.List;

/**
 * Turns a resolved (and, where several apply, merged) policy into Envoy configuration by editing builders at defined
 * points. Core owns the builders' structure (names, matches, the router filter, the order of HTTP filters); a
 * translator adds to them. Calls may come from any thread but never concurrently for one builder; implementations
 * should be stateless.
 *
 * @param <S> the policy's spec type
 */
public interface PolicyTranslator<S> {

  /** Edits a route the policy applies to (its action, retries, header edits, per-filter config ...). */
  default void route(RouteContext context, S policy, Route.Builder route) {}

  /** Edits a virtual host the policy applies to. */
  default void virtualHost(VirtualHostContext context, S policy, VirtualHost.Builder virtualHost) {}

  /**
   * The HTTP filters the listener's HTTP connection manager needs because this policy applies somewhere under it
   * (e.g. the fault filter). Core de-duplicates filters by name and orders them by stage; the router stays last.
   */
  default List<StagedHttpFilter> httpFilters(ListenerContext context, S policy) {
    return List.of();
  }

  /**
   * For kinds attached as backendRefs: the Envoy cluster (named {@link BackendContext#clusterName()}) and, for EDS
   * clusters, its endpoints.
   */
  default BackendResources backend(BackendContext context, S policy) {
    throw new UnsupportedOperationException("this policy kind is not a backend");
  }
}
