package io.gloo.core.admission;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.hash.HashCode;
import com.google.common.hash.Hashing;
import com.google.errorprone.annotations.ThreadSafe;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Admits objects read from files as an API server with the {@linkplain CrdCatalog shipped CRDs} would on create:
 * defaults applied, then the structural schema (types, required fields, enums, patterns, bounds, unknown fields),
 * then list-type uniqueness and the {@code x-kubernetes-validations} CEL rules. An object that fails is not
 * stored; its violations name the field and carry the rule's own message.
 *
 * <p>Schemas are compiled once per kind and version, on first use (each field when an object first reaches it),
 * and CEL programs once per rule, on the first object that reaches the rule's field; both are shared by every parser ({@link #standard()}). {@code status} is not validated (on create the API server drops it). Thread-safe.
 *
 * <p>Verdicts are remembered by the object's content (SHA-256 of kind, version and its JSON without status; at most
 * {@value #REMEMBERED} of them): a one-file change re-reads the whole file, and CEL costs about 70 µs per route, so
 * only the objects that changed are admitted again (the watcher benchmark's one-route change in a 100-route file).
 * A verdict depends on nothing but the object and the compiled CRD, so it can be reused as it is.
 */
@ThreadSafe
public final class Admission {

  private static final class Holder {
    static final Admission STANDARD = new Admission(CrdCatalog.standard());
  }

  /** One CRD version, compiled. */
  private record Compiled(StructuralSchema schema, CelRules rules) {}

  private final CrdCatalog catalog;
  private final boolean validating;
  private final Map<String, Compiled> compiled = new ConcurrentHashMap<>();
  private static final int REMEMBERED = 50_000;

  private final Cache<HashCode, List<Violation>> verdicts = CacheBuilder.newBuilder().maximumSize(REMEMBERED).build();
  private final LongAdder admitted = new LongAdder();
  private final LongAdder nanos = new LongAdder();

  public Admission(CrdCatalog catalog) {
    this(catalog, true);
  }

  private Admission(CrdCatalog catalog, boolean validating) {
    this.catalog = catalog;
    this.validating = validating;
  }

  /**
   * The same catalog (served versions are still converted, unread kinds still reported) without validating
   * objects: for tests that feed the translator objects an API server would reject, to pin how it copes.
   */
  public static Admission servedVersionsOnly() {
    return new Admission(CrdCatalog.standard(), false);
  }

  /** Admission against the shipped CRDs, shared. */
  public static Admission standard() {
    return Holder.STANDARD;
  }

  public CrdCatalog catalog() {
    return catalog;
  }

  /**
   * The violations of {@code object} (a document of {@code crd} at {@code version}, which the CRD serves); empty
   * when it is admitted. {@code object} is not modified.
   */
  public List<Violation> admit(ObjectNode object, Crd crd, Crd.Version version) {
    if (!validating) {
      return List.of();
    }
    long start = System.nanoTime();
    try {
      ObjectNode copy = object.deepCopy();
      copy.remove("status");
      HashCode key = Hashing.sha256().hashString(crd.group() + "/" + crd.kind() + "/" + version.name() + "\n" + copy,
          StandardCharsets.UTF_8);
      List<Violation> known = verdicts.getIfPresent(key);
      if (known != null) {
        return known;
      }
      Compiled c = compiled(crd, version);
      c.rules().applyDefaults(copy);
      List<Violation> violations = c.schema().validate(copy);
      // As the API server: CEL rules are written against schema-valid data; a type error is reported alone.
      List<Violation> verdict = List.copyOf(violations.isEmpty() ? c.rules().validate(copy) : violations);
      verdicts.put(key, verdict);
      return verdict;
    } finally {
      admitted.increment();
      nanos.add(System.nanoTime() - start);
    }
  }

  /**
   * Compiles every served version of every CRD now, schemas and all their CEL rules (so the first file does not pay
   * for it, and a rule that does not compile shows here); returns the count of versions.
   */
  public int compileAll() {
    int n = 0;
    for (Crd crd : catalog.all()) {
      for (Crd.Version v : crd.versions()) {
        if (v.served()) {
          Compiled c = compiled(crd, v);
          c.schema().compileAll();
          c.rules().compileAll();
          n++;
        }
      }
    }
    return n;
  }

  /** How many objects were admitted (or rejected) so far and the nanoseconds spent: for measurements. */
  public long[] stats() {
    return new long[] {admitted.sum(), nanos.sum()};
  }

  /** The number of CEL rules compiled for a CRD version, and of transition rules skipped (for tests/docs). */
  int[] ruleCounts(Crd crd, Crd.Version version) {
    CelRules rules = compiled(crd, version).rules();
    return new int[] {rules.ruleCount(), rules.skippedTransitionRules()};
  }

  private Compiled compiled(Crd crd, Crd.Version version) {
    return compiled.computeIfAbsent(crd.group() + "/" + version.name() + "/" + crd.kind(), k -> {
      JsonNode schema = version.openApiV3Schema();
      return new Compiled(new StructuralSchema(schema), new CelRules(schema));
    });
  }
}
