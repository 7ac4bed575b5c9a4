package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.gloo.core.ir.RouteIR;
import io.gloo.core.store.Instances;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.policy.PolicyResolver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What processing each route (HTTPRoute, GRPCRoute) produced in the previous translation, carried to the next, so
 * that at thousands of routes a one-route change translates and attaches one route: for the others the recorded
 * {@link Plan} (status, attachment to listeners and virtual hosts) is applied again, and their {@link RouteIR}
 * instances are reused (the later stages cache by them).
 *
 * <p>The result must be exactly what a fresh translation gives, so a plan is reused only when nothing it was computed
 * from changed; "changed" is decided by instance (config sources serve an unchanged object as the same instance):
 * <ul>
 *   <li>the route object itself;</li>
 *   <li>for its attachment ({@link #attachmentUnchanged}): every Gateway, GatewayClass, Namespace and ListenerSet
 *       object, and the
 *       state of our Gateways' listeners (servable, route kinds admitted: they also depend on TLS references);</li>
 *   <li>for its translated rules ({@link #rulesReusable}): the Services it looked up, found or not (skipped when no
 *       Service changed at all), every ReferenceGrant and BackendTLSPolicy, and that no plugin serves the kinds its
 *       ExtensionRefs and backendRefs named when none did. Rules whose translation involved plugin policies, a
 *       plugin's backend kind or a BackendTLSPolicy are never reused, nor those of a route some policy's targetRefs
 *       name (it may start applying).</li>
 * </ul>
 * When only the attachment inputs changed, the rules are still reused and the route is attached again. EndpointSlices
 * do not matter here: clusters and their endpoints are built afresh each translation ({@link Backends#replay}).
 *
 * <p>Routes are matched with the previous translation's by position in the snapshot's sorted lists (falling back to
 * the key order where they differ): no hashing per route. Keeps the last translation's plans only. Not thread-safe:
 * one translation at a time.
 */
final class RoutePlans {

  /** A route's translated rules and what they were computed from. */
  record Rules(List<RouteIR> routes, String refsReason, List<String> refsMessages, List<String> invalidMessages,
      RouteInputs inputs) {}

  /** One condition of a route's parent status; the observed generation is the route's. */
  record ConditionTemplate(String type, boolean status, String reason, String message) {}

  /** One parent status of a route, as {@code GatewayApiTranslator} sets it, without the route's generation. */
  record ParentTemplate(String group, String kind, String name, String namespace, Integer port, String sectionName,
      List<ConditionTemplate> conditions) {

    RouteParentStatus build(long generation) {
      RouteParentStatus status = new RouteParentStatus();
      status.setParentRef(new ParentReference(group, kind, name, namespace, port, sectionName));
      status.setControllerName(GatewayApi.CONTROLLER_NAME);
      List<Condition> list = new ArrayList<>(conditions.size());
      for (ConditionTemplate t : conditions) {
        Condition c = new Condition();
        c.setType(t.type());
        c.setStatus(t.status() ? "True" : "False");
        c.setReason(t.reason());
        c.setMessage(t.message());
        c.setObservedGeneration(generation);
        list.add(c);
      }
      status.setConditions(List.copyOf(list));
      return status;
    }
  }

  /** One effect of attaching a route to a Gateway, replayed in order. */
  record Op(Kind kind, String gateway, int listener, int port, String domain, String listenerName) {
    enum Kind {
      /** The listener counts the route in {@code attachedRoutes}. */
      ATTACHED,
      /** The listener serves the domain on its port. */
      LISTENER,
      /** The route's entries go into the domain's virtual host on the port. */
      ROUTE
    }
  }

  /** Everything processing one route did, to be applied again while its inputs do not change. */
  static final class Plan {
    final ResourceKey key;
    final String kind;
    final long generation;
    /** Whether the rules were translated (the route reached a Gateway of ours). */
    final boolean translated;
    /** The translated rules when they may be reused, else null. */
    final Rules rules;
    /** One per translated route, shared by every virtual host the route reaches. */
    final List<RoutePrecedence.Entry> entries;
    final List<Op> ops;
    final List<ParentTemplate> parents;

    private Plan(ResourceKey key, String kind, long generation, boolean translated, Rules rules,
        List<RoutePrecedence.Entry> entries, List<Op> ops, List<ParentTemplate> parents) {
      this.key = key;
      this.kind = kind;
      this.generation = generation;
      this.translated = translated;
      this.rules = rules;
      this.entries = entries;
      this.ops = ops;
      this.parents = parents;
    }

    /** A new status object (statuses are stamped by the reporter, so never shared), or null when there is none. */
    Object status() {
      if (parents.isEmpty()) {
        return null;
      }
      List<RouteParentStatus> list = new ArrayList<>(parents.size());
      for (ParentTemplate p : parents) {
        list.add(p.build(generation));
      }
      if (GatewayApi.KIND_GRPCROUTE.equals(kind)) {
        GRPCRouteStatus status = new GRPCRouteStatus();
        status.setParents(list);
        return status;
      }
      HTTPRouteStatus status = new HTTPRouteStatus();
      status.setParents(list);
      return status;
    }
  }

  /** Records a plan while a route is processed. */
  final class Builder {
    private final ResourceKey key;
    private final String kind;
    private final long generation;
    private boolean translated;
    private Rules rules;
    private List<RoutePrecedence.Entry> entries = List.of();
    private final List<Op> ops = new ArrayList<>();
    private final List<ParentTemplate> parents = new ArrayList<>();
    /** gateway, port and domain the route's entries went to: a route reaching one through two listeners goes once. */
    private final Set<String> routed = new HashSet<>();

    private Builder(HasMetadata route, String kind) {
      this.key = new ResourceKey(route.getKind(), intern(route.getMetadata().getNamespace()),
          route.getMetadata().getName());
      this.kind = kind;
      Long g = route.getMetadata().getGeneration();
      this.generation = g == null ? 0 : g;
    }

    void translated(List<RouteIR> routes, Rules reusable, String created) {
      translated = true;
      rules = reusable;
      List<RoutePrecedence.Entry> list = new ArrayList<>(routes.size());
      for (RouteIR r : routes) {
        list.add(new RoutePrecedence.Entry(r, created));
      }
      entries = List.copyOf(list);
    }

    void attached(String gateway, int listener) {
      ops.add(op(new Op(Op.Kind.ATTACHED, intern(gateway), listener, 0, null, null)));
    }

    void listener(String gateway, int port, String domain, String listenerName) {
      ops.add(op(new Op(Op.Kind.LISTENER, intern(gateway), -1, port, intern(domain), intern(listenerName))));
    }

    /** The route's entries go to the domain, unless they already did through another listener or parent. */
    void route(String gateway, int port, String domain) {
      if (routed.add(gateway + "~" + port + "~" + domain)) {
        ops.add(op(new Op(Op.Kind.ROUTE, intern(gateway), -1, port, intern(domain), null)));
      }
    }

    void parent(ParentReference ref, List<Condition> conditions) {
      List<ConditionTemplate> list = new ArrayList<>(conditions.size());
      for (Condition c : conditions) {
        list.add(new ConditionTemplate(c.getType(), "True".equals(c.getStatus()), c.getReason(), c.getMessage()));
      }
      parents.add(template(new ParentTemplate(ref.getGroup(), ref.getKind(), ref.getName(), ref.getNamespace(),
          ref.getPort(), ref.getSectionName(), List.copyOf(list))));
    }

    Plan build() {
      return new Plan(key, kind, generation, translated, rules, entries, shared(List.copyOf(ops)),
          shared(List.copyOf(parents)));
    }
  }

  /** Positional matching of one kind's routes with the previous translation's. */
  final class Cursor {
    private final String kind;
    private final List<? extends HasMetadata> previousRoutes;
    private final Plan[] previousPlans;
    private final Plan[] plans;
    private int next;

    private Cursor(String kind, List<? extends HasMetadata> routes) {
      this.kind = kind;
      Generation before = previous.get(kind);
      this.previousRoutes = before == null ? List.of() : before.routes;
      this.previousPlans = before == null ? new Plan[0] : before.plans;
      this.plans = new Plan[routes.size()];
      current.put(kind, new Generation(routes, plans));
    }

    /** The previous plan of {@code route} (the same instance), or null. Routes must be asked for in list order. */
    Plan previous(HasMetadata route) {
      if (next < previousPlans.length && previousRoutes.get(next) == route) {
        return previousPlans[next++];
      }
      ResourceKey key = ResourceKey.of(route);
      while (next < previousPlans.length) {
        if (previousPlans[next] == null) {
          next++;
          continue;
        }
        int c = previousPlans[next].key.compareTo(key);
        if (c < 0) {
          next++; // removed (or renamed) since
          continue;
        }
        if (c == 0) {
          return previousRoutes.get(next++) == route ? previousPlans[next - 1] : null;
        }
        break; // a route added since
      }
      return null;
    }

    /** The plan of the {@code index}-th route in this translation. */
    void keep(int index, Plan plan) {
      plans[index] = plan;
    }

    String kind() {
      return kind;
    }
  }

  private record Generation(List<? extends HasMetadata> routes, Plan[] plans) {}

  /** Kinds whose change may alter any route's translated rules. */
  private static final List<Class<? extends HasMetadata>> RULE_INPUT_KINDS = List.of(
      io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant.class,
      io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant.class,
      io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.ReferenceGrant.class,
      io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy.class);

  /** Kinds whose change may alter any route's attachment (with the listener states). */
  private static final List<Class<? extends HasMetadata>> ATTACHMENT_INPUT_KINDS =
      List.of(Gateway.class, GatewayClass.class, Namespace.class,
          io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet.class);

  private static final int INTERN_LIMIT = 100_000;

  private Map<String, Generation> previous = new HashMap<>();
  private Map<String, Generation> current = new HashMap<>();
  /**
   * The inputs every plan may depend on: those the previous plans were computed with (committed when a translation
   * finishes; a translation that failed half-way commits nothing), and this translation's.
   */
  private static final class Inputs {
    List<List<? extends HasMetadata>> rules = List.of();
    List<? extends HasMetadata> services = List.of();
    List<List<? extends HasMetadata>> attachment = List.of();
    List<Object> listenerStates = List.of();
  }

  private Inputs committed = new Inputs();
  private Inputs pending = new Inputs();
  private boolean ruleInputsUnchanged;
  private boolean attachmentUnchanged;
  private boolean servicesUnchanged;
  private Set<HasMetadata> serviceSet;
  /** namespace/name of everything policies target; null: unknown, reuse no rules. */
  private Set<String> targeted = Set.of();
  /** Canonical instances of strings, templates and lists that many plans share (fewer objects to visit). */
  private final Map<Object, Object> interned = new HashMap<>();
  private int reused;
  private int translatedRules;

  /** Starts a translation of {@code snapshot}. */
  void begin(ResourceSnapshot snapshot) {
    current = new HashMap<>();
    pending = new Inputs();
    pending.rules = lists(snapshot, RULE_INPUT_KINDS);
    ruleInputsUnchanged = sameInstances(pending.rules, committed.rules);
    pending.services = snapshot.list(Service.class);
    servicesUnchanged = sameInstances(List.of(pending.services), List.of(committed.services));
    serviceSet = null;
    targeted = targetedNames(snapshot);
    pending.attachment = lists(snapshot, ATTACHMENT_INPUT_KINDS);
    attachmentUnchanged = sameInstances(pending.attachment, committed.attachment);
    if (interned.size() > INTERN_LIMIT) {
      interned.clear();
    }
    reused = 0;
    translatedRules = 0;
  }

  /**
   * The state of our Gateways' listeners that attachment reads beyond the Gateway objects (servable, admitted
   * kinds), once the listeners are validated; a difference from the previous translation re-attaches every route.
   */
  void listenerStates(List<Object> states) {
    pending.listenerStates = states;
    attachmentUnchanged &= states.equals(committed.listenerStates);
  }

  /** Whether every input of route attachment is as in the previous translation. */
  boolean attachmentUnchanged() {
    return attachmentUnchanged;
  }

  /** Ends a translation: its plans are kept for the next one. */
  void finish() {
    previous = current;
    current = new HashMap<>();
    committed = pending;
    serviceSet = null;
  }

  Cursor cursor(String kind, List<? extends HasMetadata> routes) {
    return new Cursor(kind, routes);
  }

  Builder builder(HasMetadata route, String kind) {
    return new Builder(route, kind);
  }

  /** Whether rules translated before may serve {@code route} now (see the class comment). */
  boolean rulesReusable(Rules rules, HasMetadata route, ResourceSnapshot snapshot, PolicyResolver policies) {
    if (rules == null || !ruleInputsUnchanged || targeted == null || !rules.inputs().kindsStillUnserved(policies)) {
      return false;
    }
    if (!targeted.isEmpty()
        && targeted.contains(route.getMetadata().getNamespace() + "/" + route.getMetadata().getName())) {
      return false;
    }
    if (servicesUnchanged) {
      return true;
    }
    if (serviceSet == null) {
      serviceSet = Collections.newSetFromMap(new IdentityHashMap<>());
      serviceSet.addAll(pending.services);
    }
    return rules.inputs().unchangedIn(snapshot, serviceSet);
  }

  /** The rules of a translation, to keep in its plan when they may be reused. */
  Rules rules(List<RouteIR> routes, RuleTranslator.Problems problems, RouteInputs inputs) {
    translatedRules++;
    if (!inputs.reusable()) {
      return null;
    }
    inputs.internClusters(this::intern);
    return new Rules(List.copyOf(routes), problems.refsReason, List.copyOf(problems.refsMessages),
        List.copyOf(problems.invalidMessages), inputs);
  }

  void countReused() {
    reused++;
  }

  /** Routes whose plan was reused / rules were translated in the last translation (for tests). */
  int reusedCount() {
    return reused;
  }

  int translatedCount() {
    return translatedRules;
  }

  String intern(String s) {
    return s == null ? null : shared(s);
  }

  private Op op(Op op) {
    return shared(op);
  }

  private ParentTemplate template(ParentTemplate t) {
    return shared(t);
  }

  @SuppressWarnings("unchecked")
  private <T> T shared(T value) {
    Object existing = interned.putIfAbsent(value, value);
    return existing == null ? value : (T) existing;
  }

  private static List<List<? extends HasMetadata>> lists(ResourceSnapshot snapshot,
      List<Class<? extends HasMetadata>> kinds) {
    List<List<? extends HasMetadata>> lists = new ArrayList<>();
    for (Class<? extends HasMetadata> kind : kinds) {
      lists.add(snapshot.list(kind));
    }
    return lists;
  }

  /** {@link Instances#sameElements} over lists of lists. */
  private static boolean sameInstances(List<? extends List<? extends HasMetadata>> a,
      List<? extends List<? extends HasMetadata>> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i) && !Instances.sameElements(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * namespace/name of every resource named by the {@code spec.targetRefs} or {@code spec.targetRef} of a generic
   * resource (the shape of plugin policies), whatever the kind it names and whether a plugin serves the policy: a
   * superset of the routes policies may apply to. Null when some targetRef cannot be read.
   */
  private static Set<String> targetedNames(ResourceSnapshot snapshot) {
    Set<String> names = new LinkedHashSet<>();
    for (GenericKubernetesResource r : snapshot.list(GenericKubernetesResource.class)) {
      Object spec = r.getAdditionalProperties().get("spec");
      if (spec == null) {
        continue;
      }
      if (!(spec instanceof Map<?, ?> fields)) {
        return null;
      }
      List<Object> refs = new ArrayList<>();
      Object many = fields.get("targetRefs");
      if (many instanceof List<?> list) {
        refs.addAll(list);
      } else if (many != null) {
        return null;
      }
      if (fields.get("targetRef") != null) {
        refs.add(fields.get("targetRef"));
      }
      for (Object ref : refs) {
        if (!(ref instanceof Map<?, ?> target)) {
          return null;
        }
        Object name = target.get("name");
        names.add(r.getMetadata().getNamespace() + "/" + name);
        if (target.get("namespace") != null) {
          names.add(target.get("namespace") + "/" + name);
        }
      }
    }
    return names;
  }
}
