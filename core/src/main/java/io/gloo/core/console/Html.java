package io.gloo.core.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * A small HTML writer: every text and attribute value goes through {@link #escape}, so resource names, messages and
 * user input can never inject markup. Not thread-safe (one per page render).
 */
final class Html {

  private final StringBuilder out = new StringBuilder(8192);

  static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  static String url(String s) {
    return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
  }

  /** Markup written as is: only for literals of this package. */
  Html raw(String markup) {
    out.append(markup);
    return this;
  }

  Html text(Object text) {
    out.append(escape(text == null ? "" : text.toString()));
    return this;
  }

  /** {@code <tag attr="v" ...>text</tag>}; attributes are name/value pairs. */
  Html element(String tag, String text, String... attributes) {
    open(tag, attributes);
    text(text);
    return close(tag);
  }

  Html open(String tag, String... attributes) {
    out.append('<').append(tag);
    for (int i = 0; i + 1 < attributes.length; i += 2) {
      if (attributes[i + 1] != null) {
        out.append(' ').append(attributes[i]).append("=\"").append(escape(attributes[i + 1])).append('"');
      }
    }
    out.append('>');
    return this;
  }

  Html close(String tag) {
    out.append("</").append(tag).append('>');
    return this;
  }

  Html link(String href, String text) {
    return element("a", text, "href", href);
  }

  Html heading(int level, String text, String id) {
    return element("h" + level, text, "id", id);
  }

  /** A table header row of column names, each {@code scope="col"}. */
  Html headerRow(String... columns) {
    open("thead").open("tr");
    for (String c : columns) {
      element("th", c, "scope", "col");
    }
    return close("tr").close("thead");
  }

  Html cell(Object text) {
    return element("td", text == null ? "" : text.toString());
  }

  /** A badge: its text says the state (colour alone never does), {@code tone} colours it. */
  Html badge(String text, Tone tone) {
    return element("span", text, "class", "badge " + tone.css);
  }

  /** How a state reads at a glance. */
  enum Tone {
    OK("ok"), WARN("warn"), BAD("bad");

    final String css;

    Tone(String css) {
      this.css = css;
    }

    /** Gloo states and circuit states. */
    static Tone ofState(String state) {
      return switch (state == null ? "" : state.toLowerCase(java.util.Locale.ROOT)) {
        case "accepted", "started", "closed", "resolved" -> OK;
        case "warning", "half-open", "pending", "disabled", "created", "stopped" -> WARN;
        default -> BAD;
      };
    }
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
