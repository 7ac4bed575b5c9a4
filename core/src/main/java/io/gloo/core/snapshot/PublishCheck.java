package io.gloo.core.snapshot;

import io.gloo.core.translate.XdsResources;
import io.gloo.core.validate.Finding;
import io.gloo.core.validate.SnapshotValidator;
import java.util.List;

/**
 * The last line of defence before a Gateway's resources are served: the consistency check and the snapshot
 * validator. {@link SnapshotPublisher} refuses a snapshot that fails it (the last good one keeps serving), and
 * {@code gloo translate} runs the same check offline, so both say the same. Since the translator repairs what it
 * finds element by element, a failure here means a translator bug: it is counted
 * ({@code gloo_snapshot_rejected_total}) and logged.
 */
public final class PublishCheck {

  /**
   * Why a snapshot may not be published; {@code result} null when it may.
   *
   * @param problems one line each, naming the source resource where known
   * @param findings the validator's findings (empty for a consistency problem)
   */
  public record Verdict(SnapshotPublisher.Result result, List<String> problems, List<Finding> findings) {
    public Verdict {
      problems = List.copyOf(problems);
      findings = List.copyOf(findings);
    }

    public boolean publishable() {
      return result == null;
    }
  }

  private static final Verdict OK = new Verdict(null, List.of(), List.of());

  private PublishCheck() {}

  public static Verdict check(XdsResources resources, SnapshotValidator validator) {
    List<String> problems = SnapshotConsistency.problems(resources);
    if (!problems.isEmpty()) {
      return new Verdict(SnapshotPublisher.Result.INCONSISTENT, problems, List.of());
    }
    List<Finding> findings = validator.validate(resources);
    if (!findings.isEmpty()) {
      return new Verdict(SnapshotPublisher.Result.INVALID, findings.stream().map(Finding::message).toList(),
          findings);
    }
    return OK;
  }
}
