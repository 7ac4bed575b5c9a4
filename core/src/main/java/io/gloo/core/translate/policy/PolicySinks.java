package io.gloo.core.translate.policy;

import io.gloo.spi.policy.PolicyRef;
import io.gloo.spi.policy.PolicySink;
import io.gloo.spi.translate.Diagnostics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Hands every valid policy of each kind that has a {@link PolicySink} to its plugin, once per translation: how a
 * plugin's service (rate-limit rules, auth configs) learns about policies nothing may reference yet. Each policy
 * gets a lookup scoped to it and diagnostics that land in its status.
 */
final class PolicySinks {

  private PolicySinks() {}

  private static final Comparator<PolicyRef> BY_REF = Comparator.comparing((PolicyRef r) -> r.namespace())
      .thenComparing(PolicyRef::name);

  static void publish(PolicyCatalog catalog, Collection<PolicyResource> all, BackendLookup lookup,
      PolicyReports reports, PluginInvoker invoker) {
    for (RegisteredKind kind : catalog.kinds()) {
      @SuppressWarnings("unchecked")
      PolicySink<Object> sink = (PolicySink<Object>) kind.kind().sink();
      if (sink == null) {
        continue;
      }
      List<PolicySink.Published<Object>> published = new ArrayList<>();
      all.stream().filter(p -> p.kind() == kind && p.valid())
          .sorted(Comparator.comparing(PolicyResource::ref, BY_REF))
          .forEach(p -> published.add(new PolicySink.Published<>(p.ref(), p.generation(), p.typedSpec(),
              lookup.forPolicy(p.ref()), diagnostics(reports, p.ref()))));
      try {
        invoker.call(kind, "policy sink", () -> {
          sink.publish(List.copyOf(published));
          return null;
        });
      } catch (PluginInvoker.PluginFailure failure) {
        PluginFailureLog.log(kind, "sink of " + kind.groupKind(), failure);
        for (PolicySink.Published<Object> p : published) {
          reports.error(p.ref(), failure.getMessage() + " (while handing it to its service)");
        }
      }
    }
  }

  private static Diagnostics diagnostics(PolicyReports reports, PolicyRef ref) {
    return new Diagnostics() {
      @Override
      public void warning(String field, String message) {
        reports.warning(ref, "spec." + field + ": " + message);
      }

      @Override
      public void error(String field, String message) {
        reports.error(ref, "spec." + field + ": " + message);
      }
    };
  }
}
