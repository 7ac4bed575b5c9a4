package io.gloo.core.admin;

import com.google.errorprone.annotations.ThreadSafe;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics port of a standalone plugin service ({@code gloo ratelimit-server}, {@code gloo extauth-server}):
 * {@code GET /metrics} (Prometheus text, the same exposition as {@code gloo serve}'s admin port) and
 * {@code /healthz}; anything else is 404. It serves no configuration and takes no writes, so it needs no access
 * rules; it listens on loopback unless the operator binds it wider ({@code --metrics-bind}). Jetty, built as the
 * admin API's ({@link JettyStartup#connector}): a slow client holds no thread.
 */
@ThreadSafe
public final class MetricsServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
  private static final int MAX_THREADS = 4;
  private static final String TEXT = "text/plain; charset=utf-8";

  private final Server jetty;
  private final ServerConnector connector;

  private MetricsServer(ServerConnector connector) {
    this.connector = connector;
    this.jetty = connector.getServer();
  }

  /**
   * Starts serving {@code registry} on {@code address} (port 0: any free port, see {@link #port()}).
   *
   * @throws IOException when the port cannot be bound
   */
  public static MetricsServer start(InetSocketAddress address, PrometheusMeterRegistry registry) throws IOException {
    MetricsServer server = new MetricsServer(JettyStartup.connector(address, "gloo-metrics", MAX_THREADS,
        AdminServer.IDLE_TIMEOUT_SECONDS));
    server.jetty.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getDecodedPath();
        AdminResponse answer;
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
          answer = new AdminResponse(405, TEXT, "");
        } else if (path.equals("/metrics")) {
          answer = AdminResponse.prometheus(registry.scrape());
        } else if (path.equals("/healthz")) {
          answer = new AdminResponse(200, TEXT, "ok\n");
        } else {
          answer = new AdminResponse(404, TEXT, "this port serves /metrics and /healthz only\n");
        }
        answer.write(response, callback);
        return true;
      }
    });
    try {
      server.jetty.start();
    } catch (Exception e) {
      server.close();
      if (e instanceof IOException io) {
        throw io;
      }
      throw new IOException("the metrics port did not start on " + address + ": " + e.getMessage(), e);
    }
    return server;
  }

  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() {
    try {
      jetty.stop();
    } catch (Exception e) {
      LOG.debug("stopping the metrics port failed", e);
    }
  }
}
