package io.gloo.core.console;

import com.google.errorprone.annotations.ThreadSafe;
import io.gloo.core.evaluate.QueryString;
import io.gloo.core.server.GlooServer;
import io.gloo.core.snapshot.PublishedSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's router: {@code /ui/...} paths to pages, the change token the page script polls, and the static
 * stylesheet and script (read once from the jar). Access is decided before a request gets here (the admin server
 * treats {@code /ui} like the dumps). Thread-safe: pages read the server's current state on each request.
 */
@ThreadSafe
public final class Console {

  private static final Logger LOG = LoggerFactory.getLogger(Console.class);

  private final GlooServer server;
  private final SnapshotHistory history = new SnapshotHistory();
  /** Counts publishes, status changes and proxy events: the page script reloads its content when it moves. */
  private final AtomicLong changes = new AtomicLong();
  private final String css = resource("console.css");
  private final String js = resource("console.js");

  public Console(GlooServer server) {
    this.server = server;
    server.publisher().onPublished(s -> {
      history.add(s);
      changes.incrementAndGet();
    });
    for (PublishedSnapshot s : server.publisher().current().values()) {
      history.add(s);
    }
    server.reporter().onChange(keys -> changes.incrementAndGet());
    server.tracker().onChange(event -> changes.incrementAndGet());
  }

  /** True for the paths this console serves. */
  public static boolean serves(String path) {
    return path.equals("/ui") || path.startsWith("/ui/");
  }

  /** The answer to a GET of {@code path} (under {@code /ui}). */
  public ConsolePage page(String path, String rawQuery) {
    QueryString query = QueryString.parse(rawQuery);
    String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    try {
      return switch (p) {
        case "/ui" -> html("Overview", "/ui/", new OverviewPage(server).render());
        case "/ui/routes" -> html("Routes", "/ui/routes", new RoutesPage(server).render(query));
        case "/ui/policies" -> html("Policies", "/ui/policies", new PoliciesPage(server).render(query));
        case "/ui/try" -> html("Try a request", "/ui/try", new TryPage(server).render(query));
        case "/ui/plugins" -> html("Plugins", "/ui/plugins", new PluginsPage(server).render());
        case "/ui/problems" -> html("Problems", "/ui/problems", new ProblemsPage(server).render(query));
        case "/ui/changes" -> html("Changes", "/ui/changes", new ChangesPage(server, history).render(query));
        case "/ui/resource" -> html("Resource", null, new ResourcePage(server).render(query));
        case "/ui/token" -> ConsolePage.text(200, token());
        case "/ui/static/console.css" -> new ConsolePage(200, "text/css; charset=utf-8", css);
        case "/ui/static/console.js" -> new ConsolePage(200, "text/javascript; charset=utf-8", js);
        default -> new ConsolePage(404, ConsolePage.HTML, Layout.page("Not found", null, token(),
            new Html().element("p", "The console has no page " + path + ".").open("p")
                .link("/ui/", "Back to the overview").close("p")));
      };
    } catch (RuntimeException e) {
      LOG.debug("console page {} failed", path, e);
      return ConsolePage.text(500, "the console page failed: " + e.getClass().getSimpleName() + "\n");
    }
  }

  /** Changes whenever what a page shows may have changed. */
  String token() {
    return changes.get() + "-" + Integer.toHexString(server.reporter().sourceProblems().hashCode());
  }

  private ConsolePage html(String title, String nav, Html main) {
    return ConsolePage.html(Layout.page(title, nav, token(), main));
  }

  private static String resource(String name) {
    try (InputStream in = Console.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("console resource " + name + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
