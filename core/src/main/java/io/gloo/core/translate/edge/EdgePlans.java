package io.gloo.core.translate.edge;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.gloo.core.ir.RouteIR;
import io.gloo.core.ir.VirtualHostIR;
import io.gloo.core.store.ResourceKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * Incremental Edge translation: what translating one VirtualService's routes for one listener read and produced
 * (a {@link Plan}), so that the next translation replays it instead of translating again when none of it changed.
 * A one-RouteTable change then re-translates only the VirtualServices whose delegation trees include that table
 * (or whose selectors now select it), and hands the xDS stage the previous {@link VirtualHostIR} instances of all
 * others (it caches protos by IR instance).
 *
 * <p>A plan depends on: the VirtualService's spec (by instance: a source serves an unchanged object as the same
 * instance, and specs are parsed once per object instance, see {@link EdgeTranslator}); the spec of every RouteTable
 * it visited, weighed or referenced (by instance; a missing one as missing); every selection it made, through the
 * version of the label index bucket the selector looked in ({@link #bucketVersion}: the tables of a namespace
 * carrying one {@code key=value}, a whole namespace, or all, bumped when a table enters or leaves it or its labels
 * change); every kube destination it resolved (looked up again on replay: same cluster and same warnings, which
 * also builds the cluster for this translation); and whether its virtual host's options fail closed. A translation
 * that involved plugin policies (route or virtual host {@code options}, {@code optionsConfigRefs}, Upstreams) or an
 * UpstreamGroup is never replayed, as the Gateway API's route plans. What it said about resources (status calls) is
 * replayed in order, so statuses come out as from scratch. Not thread-safe: the translator serializes translations.
 */
final class EdgePlans {

  /** One VirtualService on one listener of one proxy. */
  record Key(ResourceKey gateway, ResourceKey proxy, ResourceKey virtualService) {}

  /** A status call made while translating: {@code type} 0 error, 1 warning, 2 served by {@code proxy}. */
  record StatusOp(int type, ResourceKey key, String message, ResourceKey proxy) {}

  /** A kube destination and what it resolved to. */
  record KubeLookup(ResourceKey ref, int port, String cluster, List<String> warnings) {}

  /** One VirtualService's translation: its dependencies and its output. */
  record Plan(JsonNode spec, boolean failClosed, boolean replayable, List<ResourceKey> tables,
      List<JsonNode> tableSpecs, List<String> buckets, long[] bucketVersions, List<KubeLookup> lookups,
      List<StatusOp> ops, List<RouteIR> routes, List<VirtualHostIR> hosts) {}

  /** What one VirtualService's translation reads and says, collected while it runs. */
  static final class Recording {
    private final List<ResourceKey> tables = new ArrayList<>();
    private final List<JsonNode> tableSpecs = new ArrayList<>();
    private final List<String> buckets = new ArrayList<>();
    private final List<KubeLookup> lookups = new ArrayList<>();
    private final List<StatusOp> ops = new ArrayList<>();
    private boolean replayable = true;

    void notReplayable() {
      replayable = false;
    }
  }

  /**
   * Where the parts of one translation pass report what they read and say; a no-op while no VirtualService is being
   * recorded. One per pass.
   */
  static final class Tap {
    private Recording on;

    void start(Recording recording) {
      on = recording;
    }

    Recording stop() {
      Recording r = on;
      on = null;
      return r;
    }

    void status(int type, ResourceKey key, String message, ResourceKey proxy) {
      if (on != null) {
        on.ops.add(new StatusOp(type, key, message, proxy));
      }
    }

    /** A RouteTable's spec was read (null: it does not exist). */
    void table(ResourceKey key, JsonNode spec) {
      if (on != null) {
        on.tables.add(key);
        on.tableSpecs.add(spec);
      }
    }

    /** A selector looked in this label index bucket (see {@link #bucketVersion}). */
    void bucket(String bucket) {
      if (on != null) {
        on.buckets.add(bucket);
      }
    }

    void lookup(KubeLookup lookup) {
      if (on != null) {
        on.lookups.add(lookup);
      }
    }

    /** The translation involved something that is looked up again every time (plugin policies). */
    void notReplayable() {
      if (on != null) {
        on.notReplayable();
      }
    }
  }

  /** Looks a kube destination up again in this translation: what it resolves to now. */
  interface Lookups {
    KubeLookup again(KubeLookup previous);
  }

  /** The bucket all selectors spanning every namespace ({@code namespaces: ["*"]}) look in. */
  static final String ALL = "*";

  private Map<Key, Plan> previous = new HashMap<>();
  private Map<Key, Plan> current = new HashMap<>();
  private Map<ResourceKey, GenericKubernetesResource> tables = new HashMap<>();
  private final Map<String, Long> versions = new HashMap<>();
  private long epoch;
  private EdgeRouteTables.Index index;
  private long indexEpoch = -1;

  /** The bucket of a namespace's tables carrying {@code key=value}. */
  static String labelBucket(String namespace, String key, String value) {
    return namespace + '\0' + key + '=' + value;
  }

  /** The bucket of all of a namespace's tables. */
  static String namespaceBucket(String namespace) {
    return namespace + '\0';
  }

  long bucketVersion(String bucket) {
    Long v = versions.get(bucket);
    return v == null ? 0 : v;
  }

  /**
   * Compares this translation's RouteTables with the last one's (by instance) and bumps the buckets of every table
   * added, removed or relabelled: its namespace's, each of its old and new labels', and {@link #ALL}. A changed spec
   * alone bumps nothing: the plans that read it see a new spec instance.
   */
  void tables(List<GenericKubernetesResource> now) {
    // updated in place, not rebuilt: a one-table change should not copy thousands of entries (keys are unique in
    // a snapshot, so after the puts the map is larger than the list only if tables are gone)
    for (GenericKubernetesResource t : now) {
      ResourceKey key = ResourceKey.of(t);
      GenericKubernetesResource before = tables.put(key, t);
      if (before == t) {
        continue;
      }
      Map<String, String> labels = EdgeApi.labels(t);
      if (before == null || !EdgeApi.labels(before).equals(labels)) {
        if (before != null) {
          bump(key.namespace(), EdgeApi.labels(before));
        }
        bump(key.namespace(), labels);
      }
    }
    if (tables.size() > now.size()) {
      Set<ResourceKey> present = new HashSet<>(now.size() * 2);
      now.forEach(t -> present.add(ResourceKey.of(t)));
      for (var i = tables.entrySet().iterator(); i.hasNext(); ) {
        Map.Entry<ResourceKey, GenericKubernetesResource> gone = i.next();
        if (!present.contains(gone.getKey())) {
          bump(gone.getKey().namespace(), EdgeApi.labels(gone.getValue()));
          i.remove();
        }
      }
    }
    if (index == null || indexEpoch != epoch) {
      index = new EdgeRouteTables.Index(now);
      indexEpoch = epoch;
    }
  }

  /** The label index of this translation's tables (see {@link #tables}). */
  EdgeRouteTables.Index index() {
    return index;
  }

  private void bump(String namespace, Map<String, String> labels) {
    long v = ++epoch;
    versions.put(ALL, v);
    versions.put(namespaceBucket(namespace), v);
    labels.forEach((k, value) -> versions.put(labelBucket(namespace, k, value), v));
  }

  /** The plan of {@code key} this translation made so far, else the last translation's; null if none. */
  Plan latest(Key key) {
    Plan p = current.get(key);
    return p != null ? p : previous.get(key);
  }

  /** The plan of {@code key} this translation made in an earlier pass, or the last translation's, if none. */
  Plan previous(Key key) {
    return previous.get(key);
  }

  /**
   * The latest plan of {@code key} if it can be replayed now: nothing it read changed (its kube destinations are
   * looked up again, which builds their clusters for this translation); null otherwise.
   */
  Plan replayable(Key key, JsonNode spec, boolean failClosed, Function<ResourceKey, JsonNode> specOf,
      Lookups lookups) {
    Plan p = latest(key);
    if (p == null || !p.replayable() || p.spec() != spec || p.failClosed() != failClosed) {
      return null;
    }
    for (int i = 0; i < p.tables().size(); i++) {
      if (specOf.apply(p.tables().get(i)) != p.tableSpecs().get(i)) {
        return null;
      }
    }
    for (int i = 0; i < p.buckets().size(); i++) {
      if (bucketVersion(p.buckets().get(i)) != p.bucketVersions()[i]) {
        return null;
      }
    }
    for (KubeLookup l : p.lookups()) {
      if (!l.equals(lookups.again(l))) {
        return null;
      }
    }
    current.put(key, p);
    return p;
  }

  /** Keeps what a VirtualService's translation recorded, with its output, for the next translation. */
  Plan keep(Key key, JsonNode spec, boolean failClosed, Recording r, List<RouteIR> routes,
      List<VirtualHostIR> hosts) {
    long[] bucketVersions = new long[r.buckets.size()];
    for (int i = 0; i < bucketVersions.length; i++) {
      bucketVersions[i] = bucketVersion(r.buckets.get(i));
    }
    Plan p = new Plan(spec, failClosed, r.replayable, List.copyOf(r.tables), new ArrayList<>(r.tableSpecs),
        List.copyOf(r.buckets), bucketVersions, List.copyOf(r.lookups), List.copyOf(r.ops), routes, hosts);
    current.put(key, p);
    return p;
  }

  /** Ends a translation: only the plans it used are kept for the next. */
  void finish() {
    previous = current;
    current = new HashMap<>();
  }

  /** Forgets everything (no Edge resources left). */
  void clear() {
    previous = new HashMap<>();
    current = new HashMap<>();
    tables(List.of());
  }

  /**
   * A route of {@code earlier} plans (of the same key) equal to {@code built}, else {@code built}: a VirtualService
   * translated again keeps the instances of its unchanged routes, so the xDS stage rebuilds only what changed. Never
   * compares routes holding plugin policies (equality would run plugin code; see {@code PolicyResolver}).
   */
  static RouteIR intern(RouteIR built, int index, Plan... earlier) {
    if (!built.policies().isEmpty()) {
      return built;
    }
    for (Plan p : earlier) {
      RouteIR known = p == null ? null : find(p.routes(), built, index, EdgePlans::hasPolicies);
      if (known != null) {
        return known;
      }
    }
    return built;
  }

  /** As {@link #intern(RouteIR, int, Plan...)} for a virtual host. */
  static VirtualHostIR intern(VirtualHostIR built, int index, Plan... earlier) {
    if (hasPolicies(built)) {
      return built;
    }
    for (Plan p : earlier) {
      VirtualHostIR known = p == null ? null : find(p.hosts(), built, index, EdgePlans::hasPolicies);
      if (known != null) {
        return known;
      }
    }
    return built;
  }

  private static <T> T find(List<T> known, T built, int index, java.util.function.Predicate<T> skip) {
    if (index < known.size() && !skip.test(known.get(index)) && known.get(index).equals(built)) {
      return known.get(index);
    }
    for (T k : known) {
      if (!skip.test(k) && k.equals(built)) {
        return k;
      }
    }
    return null;
  }

  private static boolean hasPolicies(RouteIR r) {
    return !r.policies().isEmpty();
  }

  private static boolean hasPolicies(VirtualHostIR h) {
    if (!h.policies().isEmpty()) {
      return true;
    }
    for (RouteIR r : h.routes()) {
      if (!r.policies().isEmpty()) {
        return true;
      }
    }
    return false;
  }
}
