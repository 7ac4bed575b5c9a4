package io.gloo.plugins.extauth.service;

import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/** The ext-auth service on a real loopback socket (port 0) and a real gRPC client; for tests. */
public final class AuthServer implements AutoCloseable {

  public final AuthRuntime runtime;
  public final List<String> decisions = new CopyOnWriteArrayList<>();
  private final Server server;
  private final ManagedChannel channel;
  public final AuthorizationGrpc.AuthorizationBlockingStub client;

  public AuthServer() throws Exception {
    this(Clock.systemUTC());
  }

  /** With the default outbound bounds, except that plain http is allowed (WireMock identity providers). */
  public AuthServer(Clock clock) throws Exception {
    this(clock, OutboundPolicy.DEFAULTS.allowingInsecure());
  }

  public AuthServer(Clock clock, OutboundPolicy outbound) throws Exception {
    runtime = new AuthRuntime(java.net.http.HttpClient.newHttpClient(), clock, outbound);
    AuthorizationService service = new AuthorizationService(runtime,
        (allowed, reason, nanos) -> decisions.add((allowed ? "allow:" : "deny:") + reason),
        LoggerFactory.getLogger("io.gloo.plugins.extauth.test"));
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    client = AuthorizationGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  public int port() {
    return server.getPort();
  }

  /** A request to check. */
  public static final class Req {
    String configId;
    String method = "GET";
    String path = "/";
    String host = "app.example.com";
    String scheme = "https";
    final Map<String, String> headers = new LinkedHashMap<>();

    public Req config(String id) {
      configId = id;
      return this;
    }

    public Req host(String h) {
      host = h;
      return this;
    }

    public Req path(String p) {
      path = p;
      return this;
    }

    public Req header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    public CheckRequest build() {
      AttributeContext.Builder attrs = AttributeContext.newBuilder().setRequest(AttributeContext.Request.newBuilder()
          .setHttp(AttributeContext.HttpRequest.newBuilder().setMethod(method).setPath(path).setHost(host)
              .setScheme(scheme).putAllHeaders(headers)));
      if (configId != null) {
        attrs.putContextExtensions("config_id", configId);
      }
      return CheckRequest.newBuilder().setAttributes(attrs).build();
    }
  }

  public static Req req(String configId) {
    return new Req().config(configId);
  }

  public CheckResponse check(Req req) {
    return client.withDeadlineAfter(20, TimeUnit.SECONDS).check(req.build());
  }

  /** The HTTP status a response means: 200 when allowed, else the denial's. */
  public static int status(CheckResponse r) {
    return r.getStatus().getCode() == 0 ? 200 : r.getDeniedResponse().getStatus().getCodeValue();
  }

  /** A header of the response: upstream headers when allowed, client headers when denied. */
  public static String header(CheckResponse r, String name) {
    var list = r.getStatus().getCode() == 0 ? r.getOkResponse().getHeadersList()
        : r.getDeniedResponse().getHeadersList();
    return list.stream().filter(h -> h.getHeader().getKey().equalsIgnoreCase(name))
        .map(h -> h.getHeader().getValue()).findFirst().orElse(null);
  }

  @Override
  public void close() throws Exception {
    channel.shutdownNow();
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
    runtime.close();
  }
}
