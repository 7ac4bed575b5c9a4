package io.gloo.core.conformance;

/**
 * The outcome of one check of a conformance test: a request case or a status assertion.
 *
 * @param test the test's ShortName
 * @param type {@code case} or {@code status}
 * @param name the case's Go subtest name, or the assertion with the object it looks at
 * @param verdict passed, failed, or skipped because it needs a data plane
 * @param detail what differed (failures), why it was skipped, or a note
 */
public record CheckResult(String test, String type, String name, Verdict verdict, String detail) {

  public enum Verdict { PASS, FAIL, SKIPPED }

  static CheckResult pass(String test, String type, String name, String note) {
    return new CheckResult(test, type, name, Verdict.PASS, note);
  }

  static CheckResult fail(String test, String type, String name, String detail) {
    return new CheckResult(test, type, name, Verdict.FAIL, detail);
  }

  /** A check that only a live data plane can perform (TLS handshakes, elapsing timeouts, provisioned infrastructure). */
  static CheckResult needsDataPlane(String test, String type, String name, String reason) {
    return new CheckResult(test, type, name, Verdict.SKIPPED, "needs data plane: " + reason);
  }

  @Override
  public String toString() {
    String v = verdict == Verdict.SKIPPED ? "SKIPPED(needs data plane)" : verdict.name();
    return v + "  [" + type + "] " + name + (detail == null || detail.isEmpty() ? "" : ": " + detail);
  }
}
