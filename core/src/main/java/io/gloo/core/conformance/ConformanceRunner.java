package io.gloo.core.conformance;

import io.gloo.core.report.Reporter;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.Translator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Runs the transcribed conformance tests offline: per test, the base manifests and the test's manifests are applied
 * to a {@link ConformanceWorld}, translated, their statuses stamped by a {@link Reporter}; then every request case is
 * evaluated ({@link CaseChecker}) and every status assertion checked ({@link StatusChecker}), before and after each
 * of the test's steps (apply/patch/delete).
 */
public final class ConformanceRunner {

  private final ConformanceSuite suite;

  public ConformanceRunner(ConformanceSuite suite) {
    this.suite = suite;
  }

  /** The outcome of one test. */
  public record TestResult(ConformanceSuite.TestSpec spec, List<CheckResult> checks) {
    public long count(CheckResult.Verdict v) {
      return checks.stream().filter(c -> c.verdict() == v).count();
    }

    public boolean failed() {
      return count(CheckResult.Verdict.FAIL) > 0;
    }

    /** Claimed when every feature the test needs is claimed. */
    public boolean claimed() {
      return ClaimedFeatures.claimsAll(spec.features());
    }
  }

  /** Runs every test, or those whose ShortName is in {@code only} (when not empty). */
  public List<TestResult> run(Set<String> only) {
    List<TestResult> results = new ArrayList<>();
    for (ConformanceSuite.TestSpec t : suite.tests()) {
      if (only.isEmpty() || only.contains(t.shortName())) {
        results.add(run(t));
      }
    }
    return results;
  }

  public TestResult run(ConformanceSuite.TestSpec t) {
    List<CheckResult> checks = new ArrayList<>();
    try (Translator translator = new Translator()) {
      ConformanceWorld world = world(t);
      Reporter reporter = new Reporter();
      ConformanceWorld.Observed observed = world.translate(translator, reporter);
      checkEnvoyAccepts(t, observed, checks);
      Map<ResourceKey, Long> before = observed.generations();
      checkAll(t, world, observed, before, t.json().path("cases"), statusChecks(t.json()), checks);
      for (JsonNode step : t.json().path("steps")) {
        if (step.has("step")) {
          before = new HashMap<>(observed.generations());
          applyStep(world, step);
        } else if (step.has("afterStep")) {
          observed = world.translate(translator, reporter);
          checkEnvoyAccepts(t, observed, checks);
          checkAll(t, world, observed, before, step.path("cases"), step.path("statusChecks"), checks);
        }
      }
    } catch (RuntimeException e) {
      checks.add(CheckResult.fail(t.shortName(), "setup", "harness", "error: " + e));
    }
    return new TestResult(t, checks);
  }

  /**
   * The status checks of a test: its {@code whenClaimed} checks when it has them and their feature is claimed, else its
   * own. An upstream test that returns without checking anything once a feature is claimed (e.g.
   * TLSRouteListenerTerminateNotSupported) carries, in {@code whenClaimed}, the converse it implies (the listener is
   * accepted), so that it passes on a check rather than vacuously.
   */
  static JsonNode statusChecks(JsonNode test) {
    JsonNode when = test.path("whenClaimed");
    return when.isObject() && ClaimedFeatures.claimed(when.path("feature").asString(""))
        ? when.path("statusChecks") : test.path("statusChecks");
  }

  /**
   * Every Gateway's snapshot must pass Envoy's own constraints (the publisher would refuse it otherwise, and the
   * cases would be evaluated against config no proxy runs).
   */
  private static void checkEnvoyAccepts(ConformanceSuite.TestSpec t, ConformanceWorld.Observed observed,
      List<CheckResult> checks) {
    observed.gateways().forEach((gateway, xds) -> {
      List<io.gloo.core.validate.Finding> findings = VALIDATOR.validate(xds);
      checks.add(findings.isEmpty()
          ? CheckResult.pass(t.shortName(), "envoy", gateway, "snapshot passes Envoy's constraints")
          : CheckResult.fail(t.shortName(), "envoy", gateway, "Envoy would reject the snapshot: "
              + findings.stream().map(io.gloo.core.validate.Finding::message).limit(3).toList()));
    });
  }

  private static final io.gloo.core.validate.SnapshotValidator VALIDATOR = new io.gloo.core.validate.SnapshotValidator();

  /** The objects of a test: base manifests, the test's manifests, and what the suite creates in code. */
  ConformanceWorld world(ConformanceSuite.TestSpec t) {
    ConformanceWorld world = new ConformanceWorld();
    world.apply(suite.manifest("base/manifests.yaml"));
    for (String m : t.manifests()) {
      world.apply(suite.manifest(t, m));
    }
    world.addGatewayClass();
    world.addCreatedInCode(suite.index());
    world.synthesizeEndpoints();
    return world;
  }

  /**
   * One step. {@code copyDataFrom} ({@code kind}, {@code namespace}, {@code name}, {@code key}) stands for a value the
   * Go code reads from another object: an {@code apply} without a manifest creates the object with that value under
   * {@code data.<key>}; a {@code patch} sets it there.
   */
  private static void applyStep(ConformanceWorld world, JsonNode step) {
    String kind = step.path("kind").asString();
    String ns = step.path("namespace").asString(null);
    String name = step.path("name").asString();
    JsonNode copy = step.path("copyDataFrom");
    String copied = null;
    if (copy.isObject()) {
      tools.jackson.databind.node.ObjectNode from = world.get(copy.path("kind").asString(),
          copy.path("namespace").asString(), copy.path("name").asString());
      if (from == null) {
        throw new IllegalArgumentException("copyDataFrom: no " + copy);
      }
      copied = from.path("data").path(copy.path("key").asString()).asString("");
    }
    switch (step.path("action").asString()) {
      case "delete" -> world.delete(kind, ns, name);
      case "update", "patch" -> {
        JsonNode patch = step.path("patch");
        if (copied != null) {
          patch = patch.deepCopy();
          ((tools.jackson.databind.node.ObjectNode) patch).withObject("data").put(copy.path("key").asString(), copied);
        }
        world.patch(kind, ns, name, patch);
      }
      case "apply" -> {
        if (copied != null && !step.hasNonNull("manifest")) {
          tools.jackson.databind.node.ObjectNode o = tools.jackson.databind.json.JsonMapper.builder().build()
              .createObjectNode();
          o.put("apiVersion", "v1").put("kind", kind);
          o.putObject("metadata").put("name", name).put("namespace", ns);
          o.putObject("data").put(copy.path("key").asString(), copied);
          world.put(o);
        } else {
          world.apply(step.path("manifest").asString());
        }
      }
      default -> throw new IllegalArgumentException("unknown step action " + step.path("action").asString());
    }
  }

  private static void checkAll(ConformanceSuite.TestSpec t, ConformanceWorld world,
      ConformanceWorld.Observed observed, Map<ResourceKey, Long> before, JsonNode cases, JsonNode statusChecks,
      List<CheckResult> out) {
    StatusChecker status = new StatusChecker(t.shortName(), observed, before);
    for (JsonNode s : statusChecks) {
      out.addAll(status.check(s));
    }
    CaseChecker caseChecker = new CaseChecker(t.shortName(), world, observed);
    for (JsonNode c : cases) {
      out.add(caseChecker.check(c));
    }
  }
}
