package io.gloo.core.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** Remembered verdicts: the same object gets the same answer, a changed object its own, and status never matters. */
class AdmissionVerdictsTest {

  private static ObjectNode route(String pathValue, String status) {
    return (ObjectNode) AdmissionCelRulesTest.YAML.readTree("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: r, namespace: default}
        spec:
          rules:
          - matches: [{path: {type: PathPrefix, value: "%s"}}]
        %s
        """.formatted(pathValue, status));
  }

  @Test
  void aRememberedVerdictIsTheVerdictAndAChangedObjectIsAdmittedAfresh() {
    List<Violation> first = AdmissionCelRulesTest.admit(route("/ok", ""));
    assertEquals(List.of(), first);
    // the same content again: the same (empty) verdict; then a change that breaks a CEL rule is not hidden by it
    assertEquals(List.of(), AdmissionCelRulesTest.admit(route("/ok", "")));
    List<Violation> bad = AdmissionCelRulesTest.admit(route("/a//b", ""));
    assertTrue(bad.stream().anyMatch(v -> v.message().contains("must not contain '//'")), String.valueOf(bad));
    assertEquals(bad, AdmissionCelRulesTest.admit(route("/a//b", "")), "remembered: the same violations");
    // status is not admitted, so it does not change the verdict
    assertEquals(bad, AdmissionCelRulesTest.admit(route("/a//b", "status: {parents: []}")));
  }
}
