package io.gloo.plugins.extauth.model;

import io.gloo.plugins.common.GlooObject;
import io.gloo.spi.policy.Violation;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

/** URL checks for validation. */
final class Urls {
  private Urls() {}

  /** Requires an absolute http(s) URL with a host. */
  static void check(String url, String field, List<Violation> out) {
    if (!GlooObject.requireText(url, field, out)) {
      return;
    }
    try {
      URI uri = new URI(url);
      if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())
          || uri.getHost() == null) {
        out.add(new Violation(field, "must be an absolute http or https URL"));
      }
    } catch (URISyntaxException e) {
      out.add(new Violation(field, "is not a URL: " + e.getReason()));
    }
  }

  static void checkPath(String path, String field, List<Violation> out) {
    if (path != null && !path.startsWith("/")) {
      out.add(new Violation(field, "must start with '/'"));
    }
  }
}
