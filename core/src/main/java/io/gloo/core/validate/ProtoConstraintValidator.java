package io.gloo.core.validate;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.pgv.validate.Validate;
import io.envoyproxy.pgv.validate.Validate.FieldRules;
import io.envoyproxy.pgv.validate.Validate.MapRules;
import io.envoyproxy.pgv.validate.Validate.RepeatedRules;
import io.gloo.core.translate.xds.EnvoyJson;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates any protobuf message against the protoc-gen-validate ({@code validate.rules}) constraints of its
 * descriptors, the way Envoy's generated C++ validators do when a resource arrives over xDS: what fails here is what
 * Envoy would NACK with "Proto constraint validation failed".
 *
 * <p>Rules are read reflectively from the descriptors' options (the Envoy protos shipped in the java-control-plane
 * {@code api} jar carry them) and compiled once per descriptor; the compiled plans are shared by every instance.
 * A message type that cannot reach any rule (e.g. {@code google.protobuf.Struct} metadata) is not walked at all.
 *
 * <p>Covered: message {@code required}/{@code skip}, message options {@code disabled}/{@code ignored}, oneof
 * {@code required}; string, bytes, bool, enum, all numeric kinds (also on wrapper types such as
 * {@code UInt32Value}), repeated, map, any, duration and timestamp rules — see {@link RuleChecks}. Fields of a oneof
 * (and proto3 {@code optional} fields) are checked only when set, as PGV does.
 *
 * <p>{@code google.protobuf.Any} is unpacked and validated too (Envoy validates typed configs when it converts them).
 * The type is resolved from, in order, registered prototypes, registered descriptors and the JSON type registry
 * ({@link EnvoyJson#TYPES} by default). An Any of a type none of them knows is a violation ({@code any.unknown_type}):
 * what cannot be checked is not shipped. Plugins that pack more types add them with {@link #withTypes} or
 * {@link #withDescriptors}.
 *
 * <p>Thread-safe and immutable.
 */
public final class ProtoConstraintValidator {

  private static final Descriptor ANY = Any.getDescriptor();
  private static final FieldDescriptor ANY_TYPE_URL = ANY.findFieldByName("type_url");
  private static final FieldDescriptor ANY_VALUE = ANY.findFieldByName("value");

  /** Compiled rules per message type; descriptors are immutable, so this is shared by all instances. */
  private static final Map<Descriptor, Plan> PLANS = new ConcurrentHashMap<>();
  /** Whether a message type can reach any rule (or an Any). */
  private static final Map<Descriptor, Boolean> NEEDS = new ConcurrentHashMap<>();
  private static final Object PLAN_LOCK = new Object();

  private final JsonFormat.TypeRegistry registry;
  private final Map<String, Message> prototypes;
  private final Map<String, Descriptor> descriptors;
  /** Per-instance results reused across validations (see {@link #withMemo()}); null when not memoizing. */
  private final Memo memo;

  /**
   * Remembers, per message instance, the violations of large sub-messages (virtual hosts, routes, clusters,
   * endpoints), so a validator that sees mostly the same instances again (the snapshot publisher: the translator
   * reuses protos of unchanged resources) validates only what changed. Keys are weak and compared by identity: an
   * entry lives as long as its message, so the routes of a virtual host that was skipped as a whole for many rounds
   * are still known when that virtual host changes.
   */
  static final class Memo {
    private final io.gloo.core.store.WeakIdentityCache<Message, List<Violation>> results =
        new io.gloo.core.store.WeakIdentityCache<>();

    List<Violation> get(Message m) {
      return results.get(m);
    }

    void put(Message m, List<Violation> violations) {
      results.put(m, violations);
    }
  }

  /**
   * Memoized types: the large sub-messages, and routes, so that a virtual host that changed by one route validates
   * that route only.
   */
  private static final java.util.Set<String> MEMOIZED = java.util.Set.of(
      "envoy.config.route.v3.VirtualHost",
      "envoy.config.route.v3.Route",
      "envoy.config.cluster.v3.Cluster",
      "envoy.config.endpoint.v3.ClusterLoadAssignment");

  /** Knows the types in {@link EnvoyJson#TYPES}. */
  public ProtoConstraintValidator() {
    this(EnvoyJson.TYPES, Map.of(), Map.of());
  }

  public ProtoConstraintValidator(JsonFormat.TypeRegistry registry) {
    this(registry, Map.of(), Map.of());
  }

  private ProtoConstraintValidator(JsonFormat.TypeRegistry registry, Map<String, Message> prototypes,
      Map<String, Descriptor> descriptors) {
    this(registry, prototypes, descriptors, null);
  }

  private ProtoConstraintValidator(JsonFormat.TypeRegistry registry, Map<String, Message> prototypes,
      Map<String, Descriptor> descriptors, Memo memo) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.prototypes = Map.copyOf(prototypes);
    this.descriptors = Map.copyOf(descriptors);
    this.memo = memo;
  }

  /**
   * The same validator, remembering the results of large sub-messages per instance (see {@link Memo}). Messages
   * are immutable, so an instance seen before has the same violations; only their paths are re-rooted.
   */
  public ProtoConstraintValidator withMemo() {
    return new ProtoConstraintValidator(registry, prototypes, descriptors, new Memo());
  }

  /**
   * Marks the start of a new round (one snapshot) of a memoizing validator. Nothing to do since entries live as long
   * as their messages; kept so that callers need not know how the memo is bounded.
   */
  public void nextRound() {
    // entries are weakly keyed: nothing to expire per round
  }

  /** A validator that can also unpack these types (parsed into their generated classes). */
  public ProtoConstraintValidator withTypes(Collection<? extends Message> defaultInstances) {
    Map<String, Message> more = new HashMap<>(prototypes);
    for (Message m : defaultInstances) {
      more.put(m.getDescriptorForType().getFullName(), m.getDefaultInstanceForType());
    }
    return new ProtoConstraintValidator(registry, more, descriptors);
  }

  /** A validator that can also unpack these types (parsed as {@link DynamicMessage}). */
  public ProtoConstraintValidator withDescriptors(Collection<Descriptor> types) {
    Map<String, Descriptor> more = new HashMap<>(descriptors);
    for (Descriptor d : types) {
      more.put(d.getFullName(), d);
    }
    return new ProtoConstraintValidator(registry, prototypes, more);
  }

  /** Every violation in {@code message} and everything it contains; empty if Envoy would accept it. */
  public List<Violation> validate(Message message) {
    List<Violation> out = new ArrayList<>();
    validate(message, Path.ROOT, out);
    return out;
  }

  /** As {@link #validate(Message)}, adding to {@code out} with paths below {@code prefix} (may be empty). */
  public void validate(Message message, String prefix, List<Violation> out) {
    validate(message, prefix.isEmpty() ? Path.ROOT : Path.ROOT.child(prefix), out);
  }

  void validate(Message m, Path path, List<Violation> out) {
    if (memo != null && MEMOIZED.contains(m.getDescriptorForType().getFullName())) {
      List<Violation> own = memo.get(m);
      if (own == null) {
        own = new ArrayList<>();
        validateFields(m, Path.ROOT, own);
        memo.put(m, List.copyOf(own));
      }
      if (own.isEmpty()) {
        return; // the common case: no path string to build
      }
      String prefix = path.toString();
      for (Violation v : own) {
        String p = prefix.isEmpty() ? v.path() : v.path().isEmpty() ? prefix : prefix + "." + v.path();
        out.add(new Violation(p, v.rule(), v.message()));
      }
      return;
    }
    validateFields(m, path, out);
  }

  private void validateFields(Message m, Path path, List<Violation> out) {
    Descriptor d = m.getDescriptorForType();
    if (d == ANY) {
      validateAny(m, path, out);
      return;
    }
    Plan plan = plan(d);
    for (OneofDescriptor oneof : plan.requiredOneofs) {
      if (!m.hasOneof(oneof)) {
        List<String> names = new ArrayList<>();
        oneof.getFields().forEach(f -> names.add(f.getName()));
        out.add(new Violation(path.child(oneof.getName()).toString(), "oneof.required",
            "exactly one of " + String.join(", ", names) + " is required"));
      }
    }
    for (FieldPlan f : plan.fields) {
      f.validate(m, path, out, this);
    }
  }

  private void validateAny(Message any, Path path, List<Violation> out) {
    String url = (String) any.getField(ANY_TYPE_URL);
    String name = url.substring(url.lastIndexOf('/') + 1);
    ByteString bytes = (ByteString) any.getField(ANY_VALUE);
    Message unpacked;
    try {
      Message prototype = prototypes.get(name);
      if (prototype != null) {
        unpacked = prototype.getParserForType().parseFrom(bytes);
      } else {
        Descriptor d = descriptors.get(name);
        if (d == null) {
          d = name.isEmpty() ? null : registry.find(name);
        }
        if (d == null && !name.isEmpty()) {
          d = io.gloo.core.translate.xds.EnvoyJson.descriptor(name); // any type of the shared Envoy API jar
        }
        if (d == null) {
          out.add(new Violation(path.toString(), "any.unknown_type",
              "unknown type '" + url + "': cannot be validated (register it with the validator)"));
          return;
        }
        unpacked = DynamicMessage.parseFrom(d, bytes);
      }
    } catch (InvalidProtocolBufferException e) {
      out.add(new Violation(path.toString(), "any.unpack", "cannot unpack '" + url + "': " + e.getMessage()));
      return;
    }
    validate(unpacked, path, out);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Plans

  static Plan plan(Descriptor d) {
    Plan p = PLANS.get(d);
    if (p != null) {
      return p;
    }
    synchronized (PLAN_LOCK) {
      p = PLANS.get(d);
      if (p == null) {
        p = buildPlan(d);
        PLANS.put(d, p);
      }
      return p;
    }
  }

  private static boolean disabled(Descriptor d) {
    MessageOptions o = d.getOptions();
    return o.getExtension(Validate.disabled) || o.getExtension(Validate.ignored);
  }

  private static Plan buildPlan(Descriptor d) {
    if (disabled(d)) {
      return new Plan(List.of(), List.of());
    }
    List<OneofDescriptor> oneofs = new ArrayList<>();
    for (OneofDescriptor o : d.getRealOneofs()) {
      if (o.getOptions().getExtension(Validate.required)) {
        oneofs.add(o);
      }
    }
    List<FieldPlan> fields = new ArrayList<>();
    for (FieldDescriptor fd : d.getFields()) {
      FieldPlan f = FieldPlan.compile(fd);
      if (f != null) {
        fields.add(f);
      }
    }
    return new Plan(List.copyOf(oneofs), List.copyOf(fields));
  }

  private static FieldRules rules(FieldDescriptor fd) {
    return fd.getOptions().hasExtension(Validate.rules) ? fd.getOptions().getExtension(Validate.rules) : null;
  }

  /** Whether a message of this type can contain anything to check: a rule, a required oneof or an Any. */
  static boolean needs(Descriptor root) {
    Boolean known = NEEDS.get(root);
    if (known != null) {
      return known;
    }
    boolean result = false;
    Deque<Descriptor> queue = new ArrayDeque<>();
    Set<Descriptor> seen = new HashSet<>();
    queue.add(root);
    seen.add(root);
    while (!queue.isEmpty() && !result) {
      Descriptor d = queue.poll();
      if (d == ANY) {
        result = true;
        break;
      }
      if (disabled(d)) {
        continue;
      }
      for (OneofDescriptor o : d.getRealOneofs()) {
        result |= o.getOptions().getExtension(Validate.required);
      }
      for (FieldDescriptor fd : d.getFields()) {
        result |= fd.getOptions().hasExtension(Validate.rules);
        if (fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE && seen.add(fd.getMessageType())) {
          queue.add(fd.getMessageType());
        }
      }
    }
    NEEDS.put(root, result);
    return result;
  }

  record Plan(List<OneofDescriptor> requiredOneofs, List<FieldPlan> fields) {}

  /** The compiled rules of one field. */
  static final class FieldPlan {
    final FieldDescriptor fd;
    final String name;
    final boolean presenceGated;
    /** For a singular message field that must be set: the rule name. */
    final String requiredRule;
    /** Checks one value: the field's value, an item of a repeated field or a map value. */
    final RuleChecks.Check element;
    /** Whether to walk into message values. */
    final boolean recurse;
    final RepeatedRules repeated;
    final MapRules map;
    final RuleChecks.Check keys;
    final FieldDescriptor keyField;
    final FieldDescriptor valueField;

    private FieldPlan(FieldDescriptor fd, String requiredRule, RuleChecks.Check element, boolean recurse,
        RepeatedRules repeated, MapRules map, RuleChecks.Check keys) {
      this.fd = fd;
      this.name = fd.getName();
      this.presenceGated = fd.getContainingOneof() != null; // real oneofs and proto3 optional
      this.requiredRule = requiredRule;
      this.element = element;
      this.recurse = recurse;
      this.repeated = repeated;
      this.map = map;
      this.keys = keys;
      this.keyField = fd.isMapField() ? fd.getMessageType().findFieldByName("key") : null;
      this.valueField = fd.isMapField() ? fd.getMessageType().findFieldByName("value") : null;
    }

    static FieldPlan compile(FieldDescriptor fd) {
      FieldRules r = rules(fd);
      if (fd.isMapField()) {
        FieldDescriptor valueFd = fd.getMessageType().findFieldByName("value");
        FieldDescriptor keyFd = fd.getMessageType().findFieldByName("key");
        MapRules mr = r != null && r.hasMap() ? r.getMap() : null;
        RuleChecks.Check keys = mr != null && mr.hasKeys() ? RuleChecks.compile(mr.getKeys(), keyFd) : null;
        RuleChecks.Check values = mr != null && mr.hasValues() ? RuleChecks.compile(mr.getValues(), valueFd) : null;
        boolean skip = mr != null && mr.getValues().getMessage().getSkip();
        boolean recurse = isMessage(valueFd) && !skip && needs(valueFd.getMessageType());
        if (mr == null && !recurse) {
          return null;
        }
        return new FieldPlan(fd, null, values, recurse, null, mr, keys);
      }
      if (fd.isRepeated()) {
        RepeatedRules rr = r != null && r.hasRepeated() ? r.getRepeated() : null;
        RuleChecks.Check items = rr != null && rr.hasItems() ? RuleChecks.compile(rr.getItems(), fd) : null;
        boolean skip = rr != null && rr.getItems().getMessage().getSkip();
        boolean recurse = isMessage(fd) && !skip && needs(fd.getMessageType());
        if (rr == null && !recurse) {
          return null;
        }
        return new FieldPlan(fd, null, items, recurse, rr, null, null);
      }
      RuleChecks.Check element = r != null ? RuleChecks.compile(r, fd) : null;
      String required = null;
      if (r != null && isMessage(fd)) {
        if (r.getMessage().getRequired()) {
          required = "message.required";
        } else if (r.hasAny() && r.getAny().getRequired()) {
          required = "any.required";
        } else if (r.hasDuration() && r.getDuration().getRequired()) {
          required = "duration.required";
        } else if (r.hasTimestamp() && r.getTimestamp().getRequired()) {
          required = "timestamp.required";
        }
      }
      boolean skip = r != null && r.getMessage().getSkip();
      boolean recurse = isMessage(fd) && !skip && needs(fd.getMessageType());
      if (element == null && required == null && !recurse) {
        return null;
      }
      return new FieldPlan(fd, required, element, recurse, null, null, null);
    }

    private static boolean isMessage(FieldDescriptor fd) {
      return fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE;
    }

    void validate(Message m, Path path, List<Violation> out, ProtoConstraintValidator v) {
      if (map != null || fd.isMapField()) {
        validateMap(m, path, out, v);
      } else if (fd.isRepeated()) {
        validateRepeated(m, path, out, v);
      } else if (fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        if (!m.hasField(fd)) {
          if (requiredRule != null && !presenceGated) { // a oneof member is only checked when it is the one set
            out.add(new Violation(path.child(name).toString(), requiredRule, "value is required"));
          }
          return;
        }
        Object value = m.getField(fd);
        Path p = path.child(name);
        if (element != null) {
          element.check(value, p, out);
        }
        if (recurse) {
          v.validate((Message) value, p, out);
        }
      } else {
        if (presenceGated && !m.hasField(fd)) {
          return;
        }
        element.check(m.getField(fd), path.child(name), out);
      }
    }

    private void validateRepeated(Message m, Path path, List<Violation> out, ProtoConstraintValidator v) {
      int n = m.getRepeatedFieldCount(fd);
      Path p = path.child(name);
      if (repeated != null) {
        if (n == 0 && repeated.getIgnoreEmpty()) {
          return;
        }
        if (repeated.hasMinItems() && n < repeated.getMinItems()) {
          out.add(new Violation(p.toString(), "repeated.min_items",
              "must contain at least " + repeated.getMinItems() + " item(s), has " + n));
        }
        if (repeated.hasMaxItems() && n > repeated.getMaxItems()) {
          out.add(new Violation(p.toString(), "repeated.max_items",
              "must contain at most " + repeated.getMaxItems() + " item(s), has " + n));
        }
        if (repeated.getUnique()) {
          Set<Object> seen = new HashSet<>();
          for (int i = 0; i < n; i++) {
            Object item = m.getRepeatedField(fd, i);
            if (!seen.add(item)) {
              out.add(new Violation(p.index(i).toString(), "repeated.unique", "repeated value must be unique"));
            }
          }
        }
      }
      if (element == null && !recurse) {
        return;
      }
      for (int i = 0; i < n; i++) {
        Object item = m.getRepeatedField(fd, i);
        Path pi = p.index(i);
        if (element != null) {
          element.check(item, pi, out);
        }
        if (recurse) {
          v.validate((Message) item, pi, out);
        }
      }
    }

    private void validateMap(Message m, Path path, List<Violation> out, ProtoConstraintValidator v) {
      int n = m.getRepeatedFieldCount(fd);
      Path p = path.child(name);
      if (map != null) {
        if (n == 0 && map.getIgnoreEmpty()) {
          return;
        }
        if (map.hasMinPairs() && n < map.getMinPairs()) {
          out.add(new Violation(p.toString(), "map.min_pairs",
              "must contain at least " + map.getMinPairs() + " pair(s), has " + n));
        }
        if (map.hasMaxPairs() && n > map.getMaxPairs()) {
          out.add(new Violation(p.toString(), "map.max_pairs",
              "must contain at most " + map.getMaxPairs() + " pair(s), has " + n));
        }
      }
      boolean noSparse = map != null && map.getNoSparse();
      if (keys == null && element == null && !recurse && !noSparse) {
        return;
      }
      for (int i = 0; i < n; i++) {
        Message entry = (Message) m.getRepeatedField(fd, i);
        Object key = entry.getField(keyField);
        Path pk = p.key(key);
        if (keys != null) {
          keys.check(key, pk, out);
        }
        if (valueField.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !entry.hasField(valueField)) {
          // In Java a map's message value is never null; an entry serialized without a value reads as unset here.
          if (noSparse) {
            out.add(new Violation(pk.toString(), "map.no_sparse", "map values must not be unset"));
          }
          continue;
        }
        Object value = entry.getField(valueField);
        if (element != null) {
          element.check(value, pk, out);
        }
        if (recurse) {
          v.validate((Message) value, pk, out);
        }
      }
    }
  }

  /** A field path, built lazily: segments are only joined into a string when a violation is reported. */
  static final class Path {
    static final Path ROOT = new Path(null, null, -1, null);

    private final Path parent;
    private final String field;
    private final int index;
    private final Object key;

    private Path(Path parent, String field, int index, Object key) {
      this.parent = parent;
      this.field = field;
      this.index = index;
      this.key = key;
    }

    Path child(String name) {
      return new Path(this, name, -1, null);
    }

    Path index(int i) {
      return new Path(this, null, i, null);
    }

    Path key(Object k) {
      return new Path(this, null, -1, k);
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      append(sb);
      return sb.toString();
    }

    private void append(StringBuilder sb) {
      if (parent == null) {
        return;
      }
      parent.append(sb);
      if (field != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(field);
      } else if (key != null) {
        sb.append('[');
        if (key instanceof String s) {
          sb.append('"').append(s.replace("\"", "\\\"")).append('"');
        } else {
          sb.append(key);
        }
        sb.append(']');
      } else {
        sb.append('[').append(index).append(']');
      }
    }
  }
}
