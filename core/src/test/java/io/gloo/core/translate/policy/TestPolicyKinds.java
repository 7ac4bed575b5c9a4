package io.gloo.core.translate.policy;

import com.google.protobuf.Duration;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyKind;
import io.gloo.spi.policy.Violation;
import io.gloo.spi.translate.BackendContext;
import io.gloo.spi.translate.BackendResources;
import io.gloo.spi.translate.HttpFilterStage;
import io.gloo.spi.translate.ListenerContext;
import io.gloo.spi.translate.PolicyTranslator;
import io.gloo.spi.translate.RouteContext;
import io.gloo.spi.translate.StagedHttpFilter;
import io.gloo.spi.translate.VirtualHostContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Policy kinds defined in test code, to exercise core's resolution, merge and fault containment. */
public final class TestPolicyKinds {

  public static final String GROUP = "test.gloo.io";

  private TestPolicyKinds() {}

  /** {@code spec.options}: {@code headers} (name → value, added to responses), {@code mode} (throw|hang|invalid). */
  public record HeaderSpec(Map<String, Object> options, List<Map<String, Object>> targetRefs) {
    /** How often a HeaderSpec was hashed: core must not (see PolicyResolver#identitySet). */
    static final java.util.concurrent.atomic.AtomicInteger HASHED = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public int hashCode() {
      HASHED.incrementAndGet();
      return java.util.Objects.hash(options, targetRefs);
    }
  }

  /** Adds response headers on routes and virtual hosts; merges over {@code options}. */
  public static class Headers implements PolicyKind<HeaderSpec>, PolicyTranslator<HeaderSpec> {
    private final String kind;
    private final boolean failOpen;

    public Headers(String kind, boolean failOpen) {
      this.kind = kind;
      this.failOpen = failOpen;
    }

    @Override
    public GroupKind groupKind() {
      return new GroupKind(GROUP, kind);
    }

    @Override
    public String version() {
      return "v1";
    }

    @Override
    public Class<HeaderSpec> specType() {
      return HeaderSpec.class;
    }

    @Override
    public Set<Attachment> attachments() {
      return Set.of(Attachment.EXTENSION_REF, Attachment.TARGET_REF);
    }

    @Override
    public String mergeField() {
      return "options";
    }

    @Override
    public boolean failOpen() {
      return failOpen;
    }

    @Override
    public Set<String> unsupportedFields() {
      return Set.of("options.transformations");
    }

    @Override
    public List<Violation> validate(HeaderSpec spec) {
      List<Violation> v = new ArrayList<>();
      if (spec.options() != null && "reject".equals(spec.options().get("mode"))) {
        v.add(new Violation("options.mode", "reject is not a valid mode"));
      }
      return v;
    }

    @Override
    public PolicyTranslator<HeaderSpec> translator() {
      return this;
    }

    @Override
    public void route(RouteContext context, HeaderSpec policy, Route.Builder route) {
      apply(policy, route::addResponseHeadersToAdd);
      Object mode = policy.options() == null ? null : policy.options().get("mode");
      if ("throw".equals(mode)) {
        throw new IllegalStateException("boom");
      }
      if ("hang".equals(mode)) {
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if ("invalid".equals(mode)) {
        route.setName("renamed-by-plugin");
      }
      Object mirror = policy.options() == null ? null : policy.options().get("mirror");
      if (mirror instanceof String target) {
        String[] nsName = target.split("/");
        context.lookup().backendCluster(new GroupKind(GROUP, "StaticBackend"), nsName[0], nsName[1])
            .ifPresentOrElse(
                cluster -> route.getRouteBuilder().addRequestMirrorPolicies(
                    io.envoyproxy.envoy.config.route.v3.RouteAction.RequestMirrorPolicy.newBuilder().setCluster(cluster)),
                () -> context.diagnostics().warning("options.mirror", "backend " + target + " not available"));
      }
      if ("warn".equals(mode)) {
        context.diagnostics().warning("options.mode", "warn mode is deprecated");
      }
    }

    @Override
    public void virtualHost(VirtualHostContext context, HeaderSpec policy, VirtualHost.Builder vhost) {
      apply(policy, vhost::addResponseHeadersToAdd);
    }

    @Override
    public List<StagedHttpFilter> httpFilters(ListenerContext context, HeaderSpec policy) {
      return List.of(new StagedHttpFilter(HttpFilterStage.FAULT,
          HttpFilter.newBuilder().setName("test.filter." + kind.toLowerCase()).build()));
    }

    @SuppressWarnings("unchecked")
    private static void apply(HeaderSpec policy, java.util.function.Consumer<HeaderValueOption> add) {
      Object headers = policy.options() == null ? null : policy.options().get("headers");
      if (headers instanceof Map<?, ?> map) {
        new java.util.TreeMap<>((Map<String, Object>) map).forEach((k, v) -> add.accept(HeaderValueOption.newBuilder()
            .setHeader(HeaderValue.newBuilder().setKey(k).setValue(String.valueOf(v))).build()));
      }
    }
  }

  /** {@code spec}: {@code address}, {@code port}, {@code mode} (misname). */
  public record BackendSpec(String address, Integer port, String mode) {}

  /** A backendRef kind whose clusters are STATIC. */
  static final class StaticBackend implements PolicyKind<BackendSpec>, PolicyTranslator<BackendSpec> {
    @Override
    public GroupKind groupKind() {
      return new GroupKind(GROUP, "StaticBackend");
    }

    @Override
    public String version() {
      return "v1";
    }

    @Override
    public Class<BackendSpec> specType() {
      return BackendSpec.class;
    }

    @Override
    public Set<Attachment> attachments() {
      return Set.of(Attachment.BACKEND_REF);
    }

    @Override
    public PolicyTranslator<BackendSpec> translator() {
      return this;
    }

    @Override
    public BackendResources backend(BackendContext context, BackendSpec spec) {
      String name = "misname".equals(spec.mode()) ? "" : context.clusterName();
      Cluster cluster = Cluster.newBuilder()
          .setName(name)
          .setType(Cluster.DiscoveryType.STATIC)
          .setConnectTimeout(Duration.newBuilder().setSeconds(1))
          .setLoadAssignment(ClusterLoadAssignment.newBuilder().setClusterName(name)
              .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(LbEndpoint.newBuilder()
                  .setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder()
                      .setSocketAddress(SocketAddress.newBuilder().setAddress(spec.address())
                          .setPortValue(spec.port())))))))
          .build();
      return new BackendResources(cluster, null);
    }
  }

  static PolicyCatalog catalog() {
    ClassLoader cl = TestPolicyKinds.class.getClassLoader();
    return new PolicyCatalog(List.of(
        new RegisteredKind("test-headers", new Headers("RouteHeaders", false), cl),
        new RegisteredKind("test-headers", new Headers("LenientHeaders", true), cl),
        new RegisteredKind("test-headers", new Headers("VhostHeaders", false), cl),
        new RegisteredKind("test-backend", new StaticBackend(), cl)));
  }
}
