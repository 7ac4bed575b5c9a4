package io.gloo.spi.policy;

import io.gloo.spi.translate.Diagnostics;
import io.gloo.spi.translate.ResourceLookup;
import java.util.List;

/** Receives every valid policy of a kind after each translation (all namespaces, sorted by ref), never concurrently. */
public interface PolicySink<S> {

  void publish(List<Published<S>> policies);

  /** One valid policy; lookup is scoped to it and diagnostics report on its status. */
  record Published<S>(PolicyRef ref, long generation, S spec, ResourceLookup lookup, Diagnostics diagnostics) {}
}
