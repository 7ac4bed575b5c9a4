package io.gloo.plugins.common;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.extensions.filters.http.buffer.v3.Buffer;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.gloo.spi.translate.HttpFilterStage;
import io.gloo.spi.translate.StagedHttpFilter;
import java.util.List;

/**
 * The Envoy HTTP filters behind the shared options, and their names (the keys of {@code typed_per_filter_config}).
 * Every plugin builds them here, so that core's de-duplication by name always sees the same filter.
 *
 * <ul>
 *   <li>fault: stage FAULT, empty {@code HTTPFault} (no faults unless a route carries per-route config);
 *   <li>cors: stage CORS, empty {@code Cors} (the per-route/per-vhost {@code CorsPolicy} drives it);
 *   <li>csrf: stage ROUTE weight 0, disabled by default ({@code HttpFilter.disabled}): it runs only where a route
 *       or virtual host carries a {@code CsrfPolicy};
 *   <li>buffer: stage ROUTE weight 10, disabled by default; enabled where a route or virtual host carries
 *       {@code BufferPerRoute}. Its listener-level {@code max_request_bytes} is required by Envoy but never used.
 * </ul>
 */
public final class EnvoyFilters {

  public static final String FAULT = "envoy.filters.http.fault";
  public static final String CORS = "envoy.filters.http.cors";
  public static final String CSRF = "envoy.filters.http.csrf";
  public static final String BUFFER = "envoy.filters.http.buffer";

  /** Placeholder listener-level buffer limit (1 MiB); per-route config always overrides it. */
  static final int BUFFER_PLACEHOLDER_BYTES = 1 << 20;

  /**
   * Message types the shared options pack into {@code Any}: what a JSON printer (config dump, golden files) must
   * know to render them.
   */
  public static final List<Descriptors.Descriptor> DESCRIPTORS = List.of(
      HTTPFault.getDescriptor(),
      Cors.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.getDescriptor(),
      Buffer.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.http.buffer.v3.BufferPerRoute.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.http.csrf.v3.CsrfPolicy.getDescriptor());

  private EnvoyFilters() {}

  public static StagedHttpFilter fault() {
    return new StagedHttpFilter(HttpFilterStage.FAULT, HttpFilter.newBuilder().setName(FAULT)
        .setTypedConfig(Any.pack(HTTPFault.getDefaultInstance())).build());
  }

  public static StagedHttpFilter cors() {
    return new StagedHttpFilter(HttpFilterStage.CORS, HttpFilter.newBuilder().setName(CORS)
        .setTypedConfig(Any.pack(Cors.getDefaultInstance())).build());
  }

  public static StagedHttpFilter csrf() {
    return new StagedHttpFilter(HttpFilterStage.ROUTE, 0, HttpFilter.newBuilder().setName(CSRF)
        .setTypedConfig(Any.pack(io.envoyproxy.envoy.extensions.filters.http.csrf.v3.CsrfPolicy.newBuilder()
            .setFilterEnabled(CsrfPolicy.percent(0)).build()))
        .setDisabled(true).build());
  }

  public static StagedHttpFilter buffer() {
    return new StagedHttpFilter(HttpFilterStage.ROUTE, 10, HttpFilter.newBuilder().setName(BUFFER)
        .setTypedConfig(Any.pack(Buffer.newBuilder().setMaxRequestBytes(UInt32Value.of(BUFFER_PLACEHOLDER_BYTES))
            .build()))
        .setDisabled(true).build());
  }

  /** Per-route / per-virtual-host config, packed for {@code typed_per_filter_config}. */
  public static Any pack(com.google.protobuf.Message config) {
    return Any.pack(config);
  }
}
