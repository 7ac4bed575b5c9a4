package io.gloo.spi.translate;

import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;

/**
 * An HTTP filter and where it goes. Within a stage, lower {@code weight} goes first, then the filter name.
 */
public record StagedHttpFilter(HttpFilterStage stage, int weight, HttpFilter filter) {

  public StagedHttpFilter(HttpFilterStage stage, HttpFilter filter) {
    this(stage, 0, filter);
  }
}
