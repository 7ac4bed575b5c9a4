package example.headers;

import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.gloo.spi.GlooPlugin;
import io.gloo.spi.PluginContext;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyKind;
import io.gloo.spi.translate.PolicyTranslator;
import io.gloo.spi.translate.RouteContext;
import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Test plugin: an {@code example.gloo.io/v1alpha1 ResponseHeaders} policy that adds response headers on routes, and
 * a fail-closed {@code AccessGuard} kind (see {@link AccessGuardKind}).
 * Reports what it sees at start as metrics (read by core's tests): whether the thread context classloader is its
 * own, and whether core-only classes are visible. With {@code grpc.port} configured it serves {@code test.Echo/Echo}.
 */
public final class HeadersPlugin implements GlooPlugin {

  /** The spec: headers to add to responses. */
  public record ResponseHeadersSpec(Map<String, String> headers) {}

  @Override
  public void start(PluginContext context) {
    ClassLoader own = HeadersPlugin.class.getClassLoader();
    context.metrics().increment("started",
        "tccl", Thread.currentThread().getContextClassLoader() == own ? "plugin" : "other",
        "core-visible", String.valueOf(visible("io.gloo.core.server.GlooServer", own)),
        "picocli-visible", String.valueOf(visible("picocli.CommandLine", own)));
    context.logger().info("test-headers started (SPI {})", context.spiVersion());
    context.config("grpc.port").ifPresent(port -> context.registerGrpcService(Integer.parseInt(port), new Echo()));
    context.registerAdminView("tccl", () -> "{\"tccl\":\""
        + (Thread.currentThread().getContextClassLoader() == own ? "plugin" : "other") + "\"}");
  }

  private static boolean visible(String className, ClassLoader loader) {
    try {
      Class.forName(className, false, loader);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  @Override
  public List<PolicyKind<?>> policyKinds() {
    return List.of(new ResponseHeadersKind(), new AccessGuardKind());
  }

  /** The spec of {@code AccessGuard}: a header that marks a route as guarded. */
  public record AccessGuardSpec(String marker) {}

  /**
   * {@code example.gloo.io/v1alpha1 AccessGuard}: stands for an auth policy. Fail-closed: when it is rejected (no
   * {@code marker}) or this plugin is removed, the routes it targets answer 500 instead of serving unguarded.
   */
  static final class AccessGuardKind implements PolicyKind<AccessGuardSpec> {
    @Override
    public GroupKind groupKind() {
      return new GroupKind("example.gloo.io", "AccessGuard");
    }

    @Override
    public String version() {
      return "v1alpha1";
    }

    @Override
    public Class<AccessGuardSpec> specType() {
      return AccessGuardSpec.class;
    }

    @Override
    public Set<Attachment> attachments() {
      return EnumSet.of(Attachment.EXTENSION_REF, Attachment.TARGET_REF);
    }

    @Override
    public boolean failClosed() {
      return true;
    }

    @Override
    public List<io.gloo.spi.policy.Violation> validate(AccessGuardSpec spec) {
      return spec.marker() == null || spec.marker().isBlank()
          ? List.of(new io.gloo.spi.policy.Violation("marker", "required")) : List.of();
    }

    @Override
    public PolicyTranslator<AccessGuardSpec> translator() {
      return new PolicyTranslator<>() {
        @Override
        public void route(RouteContext context, AccessGuardSpec policy, Route.Builder route) {
          route.addResponseHeadersToAdd(HeaderValueOption.newBuilder()
              .setHeader(HeaderValue.newBuilder().setKey("x-guarded").setValue(policy.marker())));
        }

        @Override
        public void virtualHost(io.gloo.spi.translate.VirtualHostContext context, AccessGuardSpec policy,
            io.envoyproxy.envoy.config.route.v3.VirtualHost.Builder vhost) {
          vhost.addResponseHeadersToAdd(HeaderValueOption.newBuilder()
              .setHeader(HeaderValue.newBuilder().setKey("x-guarded").setValue(policy.marker())));
        }
      };
    }
  }

  static final class ResponseHeadersKind implements PolicyKind<ResponseHeadersSpec> {
    @Override
    public GroupKind groupKind() {
      return new GroupKind("example.gloo.io", "ResponseHeaders");
    }

    @Override
    public String version() {
      return "v1alpha1";
    }

    @Override
    public Class<ResponseHeadersSpec> specType() {
      return ResponseHeadersSpec.class;
    }

    @Override
    public Set<Attachment> attachments() {
      return EnumSet.of(Attachment.EXTENSION_REF, Attachment.TARGET_REF);
    }

    @Override
    public PolicyTranslator<ResponseHeadersSpec> translator() {
      return new PolicyTranslator<>() {
        @Override
        public void route(RouteContext context, ResponseHeadersSpec policy, Route.Builder route) {
          policy.headers().forEach((name, value) -> route.addResponseHeadersToAdd(HeaderValueOption.newBuilder()
              .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))));
        }
      };
    }
  }

  /** {@code test.Echo/Echo}: answers with the request bytes, built from grpc-api alone (no generated code). */
  static final class Echo implements BindableService {
    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(byte[] value) {
        return new ByteArrayInputStream(value);
      }

      @Override
      public byte[] parse(InputStream stream) {
        try {
          return stream.readAllBytes();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };

    @Override
    public ServerServiceDefinition bindService() {
      MethodDescriptor<byte[], byte[]> echo = MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("test.Echo/Echo")
          .setRequestMarshaller(BYTES)
          .setResponseMarshaller(BYTES)
          .build();
      return ServerServiceDefinition.builder("test.Echo")
          .addMethod(echo, (call, headers) -> {
            call.request(1);
            return new ServerCall.Listener<byte[]>() {
              private byte[] request = new byte[0];

              @Override
              public void onMessage(byte[] message) {
                request = message;
              }

              @Override
              public void onHalfClose() {
                String tccl = Thread.currentThread().getContextClassLoader() == Echo.class.getClassLoader()
                    ? "plugin" : "other";
                call.sendHeaders(new Metadata());
                call.sendMessage((new String(request, StandardCharsets.UTF_8) + " tccl=" + tccl)
                    .getBytes(StandardCharsets.UTF_8));
                call.close(Status.OK, new Metadata());
              }
            };
          })
          .build();
    }
  }
}
