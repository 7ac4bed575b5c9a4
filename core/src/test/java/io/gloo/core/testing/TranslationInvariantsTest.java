package io.gloo.core.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gloo.core.report.StatusReport;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.gloo.core.validate.SnapshotValidator;
import io.gloo.core.watch.DirectorySource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The fuzz tests' invariants hold on golden inputs with rejected resources, and catch a translation that leaks. */
class TranslationInvariantsTest {

  private final Translator translator = new Translator();

  private static ResourceSnapshot golden(String name) {
    return DirectorySource.load(List.of(GoldenFiles.sourceDir("golden/" + name).resolve("input.yaml")));
  }

  @Test
  void rejectedRoutesAndGatewaysOfTheGoldenInputsChangeNothingElse() {
    for (String name : List.of("attachment", "hostnames", "gateway-statuses")) {
      ResourceSnapshot snapshot = golden(name);
      TranslationResult result = translator.translate(snapshot);
      TranslationInvariants.assertPublishable(result, new SnapshotValidator());
      AtomicInteger translations = new AtomicInteger();
      TranslationInvariants.assertRejectedIsolated(snapshot, result, s -> {
        translations.incrementAndGet();
        return translator.translate(s);
      }, 10);
      if (translations.get() == 0) {
        throw new AssertionFailedError(name + " has a rejected resource, yet none was taken out");
      }
    }
  }

  @Test
  void aTranslationWhereTheRejectedRouteChangedAnotherStatusFails() {
    ResourceSnapshot snapshot = golden("attachment");
    TranslationResult result = translator.translate(snapshot);
    // as if team-b's rejected route had changed another route's status
    assertThrows(AssertionFailedError.class, () -> TranslationInvariants.assertRejectedIsolated(snapshot, result,
        s -> {
          TranslationResult without = translator.translate(s);
          Map<ResourceKey, Object> statuses = new HashMap<>(without.statuses().statuses());
          statuses.remove(new ResourceKey("HTTPRoute", "infra", "local"));
          return new TranslationResult(without.gateways(), new StatusReport(statuses));
        }, 10));
  }
}
