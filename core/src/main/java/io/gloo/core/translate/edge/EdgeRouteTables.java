package io.gloo.core.translate.edge;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.gloo.core.store.ResourceKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * The RouteTables of a translation and Gloo's selection of them by a {@code delegateAction}: by {@code ref} (or the
 * older {@code name}/{@code namespace}), or by {@code selector} ({@code labels} or {@code expressions}, in
 * {@code namespaces}, by default the delegating resource's). Selected tables are grouped by {@code weight}
 * (default 0), lowest first; several tables of one weight are a warning (their routes are then ordered by path,
 * as Gloo does). One instance per translation.
 */
final class EdgeRouteTables {

  /** The selected tables, one list per weight (lowest first), and what to warn the delegating resource about. */
  record Selection(List<List<ResourceKey>> byWeight, List<String> warnings) {}

  /**
   * The tables by key, by namespace and by namespace and label ({@code key=value} → the tables carrying it):
   * selectors look up, never scan. Depends only on the tables' keys and labels, so a translation where none was
   * added, removed or relabelled reuses the last one's ({@link EdgePlans#index}).
   */
  static final class Index {
    private final Map<ResourceKey, GenericKubernetesResource> byKey = new HashMap<>();
    private final Map<String, List<GenericKubernetesResource>> byNamespace = new HashMap<>();
    private final Map<String, Map<String, List<GenericKubernetesResource>>> byLabel = new HashMap<>();

    Index(List<GenericKubernetesResource> tables) {
      for (GenericKubernetesResource t : tables) {
        byKey.put(ResourceKey.of(t), t);
        byNamespace.computeIfAbsent(t.getMetadata().getNamespace(), n -> new ArrayList<>()).add(t);
        Map<String, List<GenericKubernetesResource>> labels =
            byLabel.computeIfAbsent(t.getMetadata().getNamespace(), n -> new HashMap<>());
        EdgeApi.labels(t).forEach((k, v) -> labels.computeIfAbsent(k + "=" + v, x -> new ArrayList<>()).add(t));
      }
    }
  }

  private final Map<ResourceKey, GenericKubernetesResource> byKey;
  private final Map<String, List<GenericKubernetesResource>> byNamespace;
  private final Map<String, Map<String, List<GenericKubernetesResource>>> byLabel;
  private final Function<ResourceKey, JsonNode> specOf;
  private final EdgePlans.Tap tap;

  /**
   * @param index the tables of the translation
   * @param specOf the spec to translate of each table: its current one, or its last accepted one
   * @param tap is told each spec read and each label index bucket a selector looks in
   */
  EdgeRouteTables(Index index, Function<ResourceKey, JsonNode> specOf, EdgePlans.Tap tap) {
    this.byKey = index.byKey;
    this.byNamespace = index.byNamespace;
    this.byLabel = index.byLabel;
    this.specOf = specOf;
    this.tap = tap;
  }

  JsonNode routes(ResourceKey table) {
    return spec(table).path("routes");
  }

  private int weight(ResourceKey table) {
    return spec(table).path("weight").asInt(0);
  }

  private JsonNode spec(ResourceKey table) {
    JsonNode spec = specOf.apply(table);
    tap.table(table, spec);
    return spec;
  }

  Selection select(JsonNode delegate, String namespace) {
    List<String> warnings = new ArrayList<>();
    List<ResourceKey> selected = new ArrayList<>();
    if (EdgeApi.present(delegate, "selector")) {
      JsonNode selector = delegate.get("selector");
      JsonNode labels = selector.path("labels");
      JsonNode expressions = selector.path("expressions");
      if (labels.size() > 0 && expressions.size() > 0) {
        warnings.add("delegateAction.selector: labels and expressions cannot both be set; no route table selected");
        return new Selection(List.of(), warnings);
      }
      JsonNode namespaces = selector.get("namespaces");
      boolean any = namespaces != null && namespaces.isArray()
          && java.util.stream.StreamSupport.stream(namespaces.spliterator(), false)
              .anyMatch(n -> n.asString().equals("*"));
      List<String> inNamespaces = new ArrayList<>();
      java.util.Iterator<Map.Entry<String, JsonNode>> firstLabel = labels.properties().iterator();
      String oneLabel = expressions.size() == 0 && firstLabel.hasNext() ? firstLabel.next().getKey() : null;
      if (any) {
        tap.bucket(EdgePlans.ALL);
        inNamespaces.addAll(new java.util.TreeSet<>(byNamespace.keySet()));
      } else if (namespaces == null || namespaces.isEmpty()) {
        inNamespaces.add(namespace);
      } else {
        namespaces.forEach(ns -> inNamespaces.add(ns.asString()));
      }
      List<GenericKubernetesResource> candidates = new ArrayList<>();
      for (String ns : inNamespaces) {
        if (!any) {
          tap.bucket(oneLabel != null ? EdgePlans.labelBucket(ns, oneLabel, labels.get(oneLabel).asString())
              : EdgePlans.namespaceBucket(ns));
        }
        if (oneLabel != null) {
          candidates.addAll(byLabel.getOrDefault(ns, Map.of())
              .getOrDefault(oneLabel + "=" + labels.get(oneLabel).asString(), List.of()));
        } else {
          candidates.addAll(byNamespace.getOrDefault(ns, List.of()));
        }
      }
      for (GenericKubernetesResource t : candidates) {
        Map<String, String> tableLabels = EdgeApi.labels(t);
        boolean matches;
        if (expressions.size() > 0) {
          String problem = EdgeSelectors.expressionsMatch(expressions, tableLabels);
          if (problem != null && !problem.isEmpty()) {
            warnings.add("delegateAction.selector." + problem);
            return new Selection(List.of(), warnings);
          }
          matches = problem == null;
        } else {
          matches = EdgeSelectors.labelsMatch(labels, tableLabels);
        }
        if (matches) {
          selected.add(ResourceKey.of(t));
        }
      }
      if (selected.isEmpty()) {
        warnings.add("no route table matches the given selector");
      }
    } else {
      JsonNode refNode = EdgeApi.present(delegate, "ref") ? delegate.get("ref") : delegate;
      ResourceKey ref = EdgeApi.ref(EdgeApi.KIND_ROUTE_TABLE, refNode, namespace);
      if (ref == null) {
        warnings.add("delegateAction names no route table (ref or selector)");
      } else if (!byKey.containsKey(ref)) {
        tap.table(ref, null);
        warnings.add("route table " + EdgeApi.gloo(ref) + " missing");
      } else {
        selected.add(ref);
      }
    }
    Map<Integer, List<ResourceKey>> byWeight = new TreeMap<>();
    for (ResourceKey t : selected) {
      byWeight.computeIfAbsent(weight(t), w -> new ArrayList<>()).add(t);
    }
    byWeight.forEach((weight, tables) -> {
      if (tables.size() > 1) {
        List<String> names = new ArrayList<>();
        tables.forEach(t -> names.add(EdgeApi.gloo(t)));
        warnings.add("route tables " + names + " have the same weight " + weight
            + ": their routes are ordered by path (exact, regex, then longest prefix first)");
      }
    });
    return new Selection(new ArrayList<>(byWeight.values()), warnings);
  }
}
