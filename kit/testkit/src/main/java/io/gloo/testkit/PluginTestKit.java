package io.gloo.testkit;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.gloo.spi.GlooPlugin;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyKind;
import io.gloo.spi.policy.PolicyRef;
import io.gloo.spi.translate.StagedHttpFilter;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import org.opentest4j.AssertionFailedError;

/**
 * A started plugin under test, in a few lines:
 *
 * <pre>{@code
 * PluginTestKit kit = PluginTestKit.load("my-plugin");            // ServiceLoader, as gloo finds it; start()ed
 * MyKind kind = kit.kind(MyKind.class);
 * MySpec spec = kit.accepted(kind, "options: {add: {x-a: '1'}}"); // core's binder + validate; fails if rejected
 * Route route = kit.route(kind, spec).output();                   // translator + Envoy's checks
 * assertEquals(List.of("spec.options.add[bad name]: ..."), kit.rejected(kind, "options: {add: {'bad name': x}}"));
 * }</pre>
 *
 * Translator hooks run on core's defaults for what core owns (a route {@code httproute/default/test/0/0} matching
 * {@code /} to cluster {@code kube_default_test_80}; a virtual host {@code http~8080~*}) and every output is checked
 * with {@link EnvoyChecks}: a translator that builds something Envoy would reject fails the test, as it would fail
 * the route at run time. For whole manifests through core's translation, see {@link ManifestTranslation}.
 * Not thread-safe; one per test (or per test class).
 */
public final class PluginTestKit implements AutoCloseable {

  private final GlooPlugin plugin;
  private final FakePluginContext context;
  /** Asked once after start, as core asks (the SPI says the answer must not change). */
  private final List<PolicyKind<?>> kinds;
  private final SpecBinder binder = new SpecBinder();
  private EnvoyChecks envoy = new EnvoyChecks();

  private PluginTestKit(GlooPlugin plugin, FakePluginContext context) {
    this.plugin = plugin;
    this.context = context;
    this.kinds = List.copyOf(plugin.policyKinds());
  }

  /** Starts {@code plugin} with a {@link FakePluginContext} of this id and configuration. */
  public static PluginTestKit start(String pluginId, GlooPlugin plugin, Map<String, String> config) {
    FakePluginContext context = new FakePluginContext(pluginId, config);
    plugin.start(context);
    return new PluginTestKit(plugin, context);
  }

  public static PluginTestKit start(String pluginId, GlooPlugin plugin) {
    return start(pluginId, plugin, Map.of());
  }

  /**
   * Finds the plugin as gloo does ({@link ServiceLoader}, {@code META-INF/services/io.gloo.spi.GlooPlugin}) and
   * starts it; fails unless exactly one plugin is listed on the test class path.
   */
  public static PluginTestKit load(String pluginId) {
    List<GlooPlugin> found = ServiceLoader.load(GlooPlugin.class).stream().map(ServiceLoader.Provider::get).toList();
    if (found.size() != 1) {
      throw new AssertionFailedError("expected one io.gloo.spi.GlooPlugin in META-INF/services, found "
          + found.stream().map(p -> p.getClass().getName()).toList());
    }
    return start(pluginId, found.get(0));
  }

  public GlooPlugin plugin() {
    return plugin;
  }

  public FakePluginContext context() {
    return context;
  }

  /** Also accept these packed types in outputs (a plugin's own typed configs), by default instance. */
  public PluginTestKit withEnvoyTypes(List<? extends com.google.protobuf.Message> defaultInstances) {
    envoy = new EnvoyChecks().withTypes(defaultInstances);
    return this;
  }

  /** The served kind of this class; fails when the plugin serves none. */
  public <K extends PolicyKind<?>> K kind(Class<K> type) {
    return kinds.stream().filter(type::isInstance).map(type::cast).findFirst()
        .orElseThrow(() -> new AssertionFailedError("the plugin serves no " + type.getName()));
  }

  /** The served kind of this group and kind; fails when the plugin serves none. */
  public PolicyKind<?> kind(GroupKind groupKind) {
    return kinds.stream().filter(k -> k.groupKind().equals(groupKind)).findFirst()
        .orElseThrow(() -> new AssertionFailedError("the plugin serves no " + groupKind));
  }

  /** Binds and validates a spec (YAML or JSON) as core does. */
  public <S> SpecBinder.Bound<S> bind(PolicyKind<S> kind, String spec) {
    return binder.bind(kind, spec);
  }

  /** The bound spec; fails with the status core would write when the spec is rejected. */
  public <S> S accepted(PolicyKind<S> kind, String spec) {
    SpecBinder.Bound<S> bound = bind(kind, spec);
    if (!bound.accepted()) {
      throw new AssertionFailedError(kind.groupKind() + " rejected:\n  " + String.join("\n  ",
          bound.statusMessages()));
    }
    return bound.spec();
  }

  /** The status messages core would write for a rejected spec ({@code spec.FIELD: MESSAGE}); fails if accepted. */
  public List<String> rejected(PolicyKind<?> kind, String spec) {
    SpecBinder.Bound<?> bound = bind(kind, spec);
    if (bound.accepted()) {
      throw new AssertionFailedError(kind.groupKind() + " accepted a spec the test expected rejected: " + spec);
    }
    return bound.statusMessages();
  }

  /** A context for one call, attributing reports to {@code default/test} of this kind. */
  public FakeTranslationContext context(PolicyKind<?> kind) {
    return new FakeTranslationContext(new PolicyRef(kind.groupKind(), "default", "test"));
  }

  /** The translator's {@code route} hook on core's default route. */
  public <S> Translated<Route> route(PolicyKind<S> kind, S spec) {
    return route(kind, spec, context(kind), defaultRoute());
  }

  public <S> Translated<Route> route(PolicyKind<S> kind, S spec, FakeTranslationContext context,
      Route.Builder route) {
    kind.translator().route(context, spec, route);
    return new Translated<>(envoy.assertValid(route.build()), context.reports(), context.extraClusters());
  }

  /** The translator's {@code virtualHost} hook on core's default virtual host (without routes). */
  public <S> Translated<VirtualHost> virtualHost(PolicyKind<S> kind, S spec) {
    return virtualHost(kind, spec, context(kind), VirtualHost.newBuilder().setName("http~8080~*").addDomains("*"));
  }

  public <S> Translated<VirtualHost> virtualHost(PolicyKind<S> kind, S spec, FakeTranslationContext context,
      VirtualHost.Builder virtualHost) {
    kind.translator().virtualHost(context, spec, virtualHost);
    return new Translated<>(envoy.assertValid(virtualHost.build()), context.reports(), context.extraClusters());
  }

  /** The translator's {@code httpFilters} hook; each filter is checked. */
  public <S> Translated<List<StagedHttpFilter>> httpFilters(PolicyKind<S> kind, S spec) {
    FakeTranslationContext context = context(kind);
    List<StagedHttpFilter> filters = List.copyOf(kind.translator().httpFilters(context, spec));
    filters.forEach(f -> envoy.assertValid(f.filter()));
    return new Translated<>(filters, context.reports(), context.extraClusters());
  }

  /**
   * What Envoy would reject in the route the translator builds from core's default route (edited by
   * {@code before}), without failing: for testing output that Envoy must refuse, and that core would fail closed.
   */
  public <S> List<String> envoyViolations(PolicyKind<S> kind, S spec, Consumer<Route.Builder> before) {
    Route.Builder route = defaultRoute();
    before.accept(route);
    kind.translator().route(context(kind), spec, route);
    return envoy.violations(route.build());
  }

  /** Core's route for one HTTPRoute match before policies: {@code httproute/default/test/0/0}, {@code /}. */
  public static Route.Builder defaultRoute() {
    return Route.newBuilder().setName("httproute/default/test/0/0")
        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(RouteAction.newBuilder().setCluster("kube_default_test_80"));
  }

  /** Stops the plugin. */
  @Override
  public void close() {
    plugin.stop();
  }
}
