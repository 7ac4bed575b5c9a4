package io.gloo.spi.policy;

import io.gloo.spi.translate.Diagnostics;
import io.gloo.spi.translate.ResourceLookup;
import java.util.List;

/**
 * Receives every valid policy of a kind after each translation, whether or not anything references it: what a
 * service enforcing the policies needs (rate-limit rules, auth configs). Called never concurrently, from core's
 * translation thread; it should return quickly (hand heavy work to the plugin's own threads).
 *
 * @param <S> the kind's spec type
 */
@FunctionalInterface
public interface PolicySink<S> {

  /** Every valid policy of the kind, in all namespaces, sorted by reference. */
  void publish(List<Published<S>> policies);

  /**
   * One policy as published.
   *
   * @param lookup resources the policy may read: its own namespace, and others only through a ReferenceGrant from
   *     the policy's kind
   * @param diagnostics reports that become this policy's status (field paths relative to {@code spec})
   */
  record Published<S>(PolicyRef ref, long generation, S spec, ResourceLookup lookup, Diagnostics diagnostics) {}
}
