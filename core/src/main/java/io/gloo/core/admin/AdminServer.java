package io.gloo.core.admin;

import com.google.errorprone.annotations.ThreadSafe;
import io.gloo.core.console.Console;
import io.gloo.core.console.ConsolePage;
import io.gloo.core.server.GlooServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP API (default port 9091). Probes and metrics — {@code /healthz}, {@code /readyz}, {@code /metrics}
 * (Prometheus) — answer anyone who reaches the port; the dumps ({@link AdminDumps}: {@code /snapshots},
 * {@code /statuses}, {@code /route-check}, {@code /plugins}, {@code /plugins/<id>/<view>}, and {@code /logging}
 * ({@link AdminLogging}: loggers' levels, changed by POST)) only whom {@link AdminAccess} allows
 * (loopback by default; {@code --admin-bind} plus a bearer token beyond it). One port, so probes, Prometheus and
 * {@code gloo status} keep their addresses.
 *
 * <p>Served by Jetty 12 (core API, no servlets), not by hand-written HTTP nor the JDK's {@code HttpServer}, whose
 * worker threads block reading a request: two half-open connections stalled its 2-thread pool and the liveness probe
 * with it. Jetty parses requests on NIO selectors, so a connection that sends half a request line (or never reads
 * its response: writes are asynchronous too) holds no thread, only a socket, until the idle timeout
 * ({@value #IDLE_TIMEOUT_SECONDS} s) closes it. Chosen over Undertow (XNIO, larger and slower-moving) and Netty's
 * HTTP codec (we would still write the server: routing, keep-alive, HEAD, timeouts); Jetty 12 is built for Java 17,
 * our release, and runs on 25; it is small here (server, http, io, util) and logs through SLF4J like the rest.
 */
@ThreadSafe
public final class AdminServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
  static final long IDLE_TIMEOUT_SECONDS = 10;
  /** Requests are short (render a JSON document); a few threads serve them, slow clients need none. */
  private static final int MAX_THREADS = 8;

  private final Server jetty;
  private final ServerConnector connector;
  private final GlooServer server;
  private final AdminAccess access;
  private final AdminDumps dumps;
  private final Console console;

  private AdminServer(Server jetty, ServerConnector connector, GlooServer server, AdminAccess access) {
    this.jetty = jetty;
    this.connector = connector;
    this.server = server;
    this.access = access;
    this.dumps = new AdminDumps(server);
    this.console = new Console(server);
  }

  /**
   * The admin API's Jetty server, built but not listening: building it loads and initialises most of Jetty's
   * classes, which {@code gloo serve} does on another thread while its plugins start (issue #21, ready sooner).
   * Nothing is bound and no thread runs until {@link #start(Prepared, AdminAccess, GlooServer)}; one not started
   * needs no closing.
   */
  public static final class Prepared {
    private final InetSocketAddress address;
    private final ServerConnector connector;

    private Prepared(InetSocketAddress address, ServerConnector connector) {
      this.address = address;
      this.connector = connector;
    }
  }

  /** Builds the Jetty server of {@code address} without binding it (thread-safe: nothing shared). */
  public static Prepared prepare(InetSocketAddress address) {
    return new Prepared(address, JettyStartup.connector(address, "gloo-admin", MAX_THREADS, IDLE_TIMEOUT_SECONDS));
  }

  /**
   * {@link #prepare} on a daemon thread of its own, started now; the supplier waits for it (a failure to build is
   * rethrown there, as if built on the caller's thread).
   */
  public static Supplier<Prepared> prepareInBackground(InetSocketAddress address) {
    FutureTask<Prepared> task = new FutureTask<>(() -> prepare(address));
    Thread thread = new Thread(task, "gloo-admin-prepare");
    thread.setDaemon(true);
    thread.start();
    return () -> {
      try {
        return task.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while the admin API was being built", e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        if (e.getCause() instanceof Error error) {
          throw error;
        }
        throw new IllegalStateException(e.getCause());
      }
    };
  }

  /**
   * @param address where the admin port listens (the probes and metrics are served on all of it)
   * @param access who gets the dumps
   * @throws IOException when the port cannot be bound
   */
  public static AdminServer start(InetSocketAddress address, AdminAccess access, GlooServer server)
      throws IOException {
    return start(prepare(address), access, server);
  }

  /** As {@link #start(InetSocketAddress, AdminAccess, GlooServer)}, on a server {@link #prepare}d before. */
  public static AdminServer start(Prepared prepared, AdminAccess access, GlooServer server) throws IOException {
    ServerConnector connector = prepared.connector;
    Server jetty = connector.getServer();
    AdminServer admin = new AdminServer(jetty, connector, server, access);
    jetty.setHandler(admin.new Routes());
    try {
      jetty.start();
    } catch (Exception e) {
      admin.close();
      if (e instanceof IOException io) {
        throw io;
      }
      throw new IOException("the admin API did not start on " + prepared.address + ": " + e.getMessage(), e);
    }
    return admin;
  }

  public int port() {
    return connector.getLocalPort();
  }

  public AdminAccess access() {
    return access;
  }

  /** The answer to a GET of {@code path}, access already granted. */
  private AdminResponse answer(String path, String rawQuery) {
    String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    switch (p) {
      case "/healthz":
        return AdminResponse.text(200, "ok\n");
      case "/readyz":
        return readyz();
      case "/metrics":
        return AdminResponse.prometheus(server.metrics().scrape());
      case "/snapshots":
        return dumps.snapshots();
      case "/statuses":
        return dumps.statuses();
      case "/route-check":
        return dumps.routeCheck(rawQuery);
      case "/logging":
        return AdminLogging.get();
      default:
        if (p.equals("/plugins") || p.startsWith("/plugins/")) {
          return dumps.pluginView(p);
        }
        if (Console.serves(path)) {
          ConsolePage page = console.page(path, rawQuery);
          return new AdminResponse(page.status(), page.contentType(), page.body());
        }
        return AdminResponse.text(404, "no admin endpoint " + p + "\n");
    }
  }

  private AdminResponse readyz() {
    String reason = server.notReadyReason();
    if (reason == null) {
      String degraded = server.degradedReason();
      return AdminResponse.text(200, "ready: " + server.source().describe() + ", "
          + server.publisher().current().size() + " gateway snapshot(s)"
          + (degraded == null ? "" : "; degraded: " + degraded) + "\n");
    }
    return AdminResponse.text(503, "not ready: " + reason + "\n");
  }

  /** Every request: access, method, then the endpoint; the response is written asynchronously. */
  private final class Routes extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = request.getHttpURI().getDecodedPath();
      AdminResponse r;
      try {
        r = route(request, path);
      } catch (RuntimeException e) {
        LOG.debug("admin request {} failed", path, e);
        r = AdminResponse.text(500, "the admin request failed: " + e.getClass().getSimpleName() + "\n");
      }
      if (Console.serves(path)) {
        // The console's pages load only their own script and stylesheet, are never framed, and leak no URL
        response.getHeaders().put("Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self';"
                + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
      }
      if (r.status() == 401) {
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"gloo-admin\"");
      }
      r.write(response, callback);
      return true;
    }

    private AdminResponse route(Request request, String path) {
      AdminAccess.Decision decision = access.check(path, address(request.getConnectionMetaData()
          .getLocalSocketAddress()), address(request.getConnectionMetaData().getRemoteSocketAddress()),
          request.getHeaders().get(HttpHeader.AUTHORIZATION));
      switch (decision) {
        case NOT_ON_THIS_ADDRESS:
          return AdminResponse.text(403, "the admin dumps are served on loopback"
              + (access.widened() ? " and the --admin-bind address" : "") + " only (" + path + ")\n");
        case TOKEN_REQUIRED:
          return AdminResponse.text(401, "the admin dumps need Authorization: Bearer <the --admin-token-file token>\n");
        default:
          break;
      }
      if (path.equals("/logging") && "POST".equals(request.getMethod())) {
        return AdminLogging.post(request.getHttpURI().getQuery());
      }
      if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
        return AdminResponse.text(405, "");
      }
      if (Console.serves(path) && !hostAllowed(request)) {
        return AdminResponse.text(421, "the console answers loopback clients only under the Host localhost,"
            + " 127.0.0.1 or [::1]\n");
      }
      return answer(path, request.getHttpURI().getQuery());
    }
  }

  /**
   * DNS rebinding: a web page the operator visits can make the browser send its requests to 127.0.0.1 under the
   * page's own host name and then read the answers. Loopback clients therefore get the console only under a
   * loopback Host; remote clients were already admitted by address and token.
   */
  private static boolean hostAllowed(Request request) {
    InetAddress remote = address(request.getConnectionMetaData().getRemoteSocketAddress());
    if (!AdminAccess.isLocalClient(remote)) {
      return true;
    }
    String host = request.getHttpURI().getHost();
    return host == null || host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]")
        || host.equals("::1");
  }

  private static InetAddress address(SocketAddress socket) {
    // Jetty here only listens on TCP; an address it cannot tell is treated as remote (fails closed)
    return socket instanceof InetSocketAddress inet && inet.getAddress() != null ? inet.getAddress()
        : new InetSocketAddress(0).getAddress();
  }

  @Override
  public void close() {
    try {
      jetty.stop();
    } catch (Exception e) {
      LOG.debug("stopping the admin API failed", e);
    }
  }
}
