package io.gloo.core.snapshot;

import io.gloo.core.store.ResourceKey;
import java.time.Instant;
import java.util.List;

/**
 * Why the latest resources of a Gateway were not published; the proxies keep the last good snapshot. Meant for the
 * Gateway's status (e.g. a {@code Programmed=False} condition message).
 *
 * @param gateway the Gateway
 * @param problems what is inconsistent, one line each
 * @param at when the rejected publish happened
 */
public record SnapshotError(ResourceKey gateway, List<String> problems, Instant at) {

  public SnapshotError {
    problems = List.copyOf(problems);
  }

  /** The problems joined for a status message. */
  public String message() {
    return String.join("; ", problems);
  }
}
