package io.gloo.core.watch;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.store.SourceProblem;
import io.gloo.core.translate.gatewayapi.GatewayApi;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A manifest set with Gateways but no GatewayClass of ours (controllerName {@value GatewayApi#CONTROLLER_NAME})
 * translates to nothing, and the translator rightly gives foreign Gateways no status: this says so, once per
 * Gateway, naming the class it asks for and why that class is not ours (not defined, or another controller's). Only
 * for manifest files, where a missing class is a mistake; in a cluster, Gateways of other controllers are normal.
 */
public final class UnservedGateways {

  private static final String MARK = " is named by any Gateway, so nothing is translated";

  /** Whether {@code problem} is this check's (a hint about the manifest set, not a rejected object). */
  public static boolean isUnservedGateway(SourceProblem problem) {
    return problem.message().endsWith(MARK);
  }

  private UnservedGateways() {}

  /** {@link #check(Collection, Function)} over {@code snapshot} with {@code changes} (by key; null: removed). */
  static List<SourceProblem> check(ResourceSnapshot snapshot, Map<ResourceKey, HasMetadata> changes,
      Function<ResourceKey, String> fileOf) {
    Map<ResourceKey, HasMetadata> byKey = new TreeMap<>();
    for (Class<? extends HasMetadata> type : List.of(Gateway.class, GatewayClass.class)) {
      snapshot.list(type).forEach(r -> byKey.put(ResourceKey.of(r), r));
    }
    changes.forEach((key, r) -> {
      if (key.kind().equals("Gateway") || key.kind().equals("GatewayClass")) {
        if (r == null) {
          byKey.remove(key);
        } else {
          byKey.put(key, r);
        }
      }
    });
    return check(byKey.values(), fileOf);
  }

  /**
   * @param resources the Gateways and GatewayClasses served (other kinds are ignored)
   * @param fileOf the file that defines a key, for where the problem is reported
   * @return one problem per Gateway when none of them names a class of ours; else none
   */
  static List<SourceProblem> check(Collection<? extends HasMetadata> resources, Function<ResourceKey, String> fileOf) {
    Map<String, GatewayClass> classes = new HashMap<>();
    List<Gateway> gateways = new ArrayList<>();
    for (HasMetadata r : resources) {
      if (r instanceof GatewayClass c) {
        classes.put(c.getMetadata().getName(), c);
      } else if (r instanceof Gateway g) {
        gateways.add(g);
      }
    }
    List<SourceProblem> problems = new ArrayList<>();
    for (Gateway gateway : gateways) {
      String className = gateway.getSpec() == null ? null : gateway.getSpec().getGatewayClassName();
      GatewayClass named = className == null ? null : classes.get(className);
      if (named != null && named.getSpec() != null
          && GatewayApi.CONTROLLER_NAME.equals(named.getSpec().getControllerName())) {
        return List.of(); // something here is ours: foreign Gateways beside it are someone else's business
      }
      ResourceKey key = ResourceKey.of(gateway);
      String why = className == null ? "it names no gatewayClassName"
          : named == null ? "its GatewayClass '" + className + "' is not defined in these manifests"
          : "its GatewayClass '" + className + "' has controllerName '"
              + (named.getSpec() == null ? null : named.getSpec().getControllerName()) + "'";
      problems.add(new SourceProblem(fileOf.apply(key), 0, 0, "Gateway " + key.namespacedName()
          + " is not served: " + why + "; no GatewayClass with controllerName " + GatewayApi.CONTROLLER_NAME
          + MARK));
    }
    return List.copyOf(problems);
  }
}
