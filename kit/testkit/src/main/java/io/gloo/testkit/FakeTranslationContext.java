package io.gloo.testkit;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.gloo.spi.policy.PolicyRef;
import io.gloo.spi.translate.BackendContext;
import io.gloo.spi.translate.Diagnostics;
import io.gloo.spi.translate.ExtraResources;
import io.gloo.spi.translate.ListenerContext;
import io.gloo.spi.translate.ResourceLookup;
import io.gloo.spi.translate.RouteContext;
import io.gloo.spi.translate.VirtualHostContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Every translator hook's context at once (route, virtual host, listener, backend), as core fills it for a route
 * {@code default/test} rule 0 on Gateway {@code default/http} port 8080 (change any of it with the setters). It
 * records what the translator reports: {@link #reports()} as {@code warning FIELD: MESSAGE},
 * {@code error FIELD: MESSAGE} or {@code route: MESSAGE}, and the clusters it adds with {@link #extra()}. Not
 * thread-safe; one per translator call, or per test.
 */
public final class FakeTranslationContext implements RouteContext, VirtualHostContext, ListenerContext,
    BackendContext {

  private final List<String> reports = new ArrayList<>();
  private final List<Cluster> extraClusters = new ArrayList<>();
  private List<PolicyRef> policies;
  private ResourceLookup lookup = new FakeResourceLookup();
  private String gateway = "default/http";
  private String httpRoute = "default/test";
  private int rule;
  private String ruleName;
  private List<String> gatewayListeners = List.of("http");
  private List<String> domains = List.of("*");
  private int port = 8080;
  private String clusterName = "test-backend";

  private final Diagnostics diagnostics = new Diagnostics() {
    @Override
    public void warning(String field, String message) {
      reports.add("warning " + field + ": " + message);
    }

    @Override
    public void error(String field, String message) {
      reports.add("error " + field + ": " + message);
    }

    @Override
    public void unsupported(String field) {
      reports.add("unsupported " + field);
    }
  };

  /** @param policy the policy being translated (what {@link #policies()} returns) */
  public FakeTranslationContext(PolicyRef policy) {
    this.policies = List.of(policy);
  }

  public FakeTranslationContext lookup(ResourceLookup lookup) {
    this.lookup = lookup;
    return this;
  }

  /** The policies merged into the spec, highest priority first. */
  public FakeTranslationContext policies(List<PolicyRef> policies) {
    this.policies = List.copyOf(policies);
    return this;
  }

  public FakeTranslationContext gateway(String namespacedName) {
    this.gateway = namespacedName;
    return this;
  }

  public FakeTranslationContext httpRoute(String namespacedName, int rule, String ruleName) {
    this.httpRoute = namespacedName;
    this.rule = rule;
    this.ruleName = ruleName;
    return this;
  }

  public FakeTranslationContext virtualHost(List<String> gatewayListeners, List<String> domains) {
    this.gatewayListeners = List.copyOf(gatewayListeners);
    this.domains = List.copyOf(domains);
    return this;
  }

  public FakeTranslationContext port(int port) {
    this.port = port;
    return this;
  }

  public FakeTranslationContext clusterName(String clusterName) {
    this.clusterName = clusterName;
    return this;
  }

  /** What the translator reported, in order. */
  public List<String> reports() {
    return List.copyOf(reports);
  }

  /** Clusters the translator added with {@code extra().addCluster}. */
  public List<Cluster> extraClusters() {
    return List.copyOf(extraClusters);
  }

  @Override
  public String gateway() {
    return gateway;
  }

  @Override
  public List<PolicyRef> policies() {
    return policies;
  }

  @Override
  public Diagnostics diagnostics() {
    return diagnostics;
  }

  @Override
  public ResourceLookup lookup() {
    return lookup;
  }

  @Override
  public ExtraResources extra() {
    return extraClusters::add;
  }

  @Override
  public String httpRoute() {
    return httpRoute;
  }

  @Override
  public int rule() {
    return rule;
  }

  @Override
  public String ruleName() {
    return ruleName;
  }

  @Override
  public void reportOnRoute(String message) {
    reports.add("route: " + message);
  }

  @Override
  public List<String> gatewayListeners() {
    return gatewayListeners;
  }

  @Override
  public List<String> domains() {
    return domains;
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public String clusterName() {
    return clusterName;
  }
}
