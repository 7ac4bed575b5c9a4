package io.gloo.core.snapshot;

import io.gloo.core.store.ResourceKey;
import io.gloo.core.validate.Finding;
import java.time.Instant;
import java.util.List;

/**
 * Why the latest resources of a Gateway were not published; the proxies keep the last good snapshot. Meant for the
 * Gateway's status (e.g. a {@code Programmed=False} condition message).
 *
 * @param gateway the Gateway
 * @param problems what is inconsistent or invalid, one line each (a validation problem starts with the source
 *     resource, e.g. {@code HTTPRoute/default/foo: RouteConfiguration 'http~80' virtual_hosts[0]...})
 * @param findings the validation findings behind {@code problems}, with their source resources, so that they can
 *     also be reported on those resources; empty for consistency problems
 * @param at when the rejected publish happened
 */
public record SnapshotError(ResourceKey gateway, List<String> problems, List<Finding> findings, Instant at) {

  public SnapshotError {
    problems = List.copyOf(problems);
    findings = List.copyOf(findings);
  }

  public SnapshotError(ResourceKey gateway, List<String> problems, Instant at) {
    this(gateway, problems, List.of(), at);
  }

  /** The problems joined for a status message. */
  public String message() {
    return String.join("; ", problems);
  }
}
