package io.gloo.core.console;

/**
 * The frame around every page: a skip link, the navigation (the current page marked with {@code aria-current}), a
 * live region announcing updates, and {@code <main>} carrying the change token the script polls for.
 */
final class Layout {

  /** Navigation entries: path and label, in order. */
  static final String[][] NAV = {
      {"/ui/", "Overview"},
      {"/ui/routes", "Routes"},
      {"/ui/policies", "Policies"},
      {"/ui/try", "Try a request"},
      {"/ui/plugins", "Plugins"},
      {"/ui/problems", "Problems"},
      {"/ui/changes", "Changes"},
  };

  private Layout() {}

  static String page(String title, String currentPath, String token, Html main) {
    Html h = new Html();
    h.raw("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .element("title", title + " · Gloo Gateway console")
        .raw("<link rel=\"stylesheet\" href=\"/ui/static/console.css\"></head><body>")
        .raw("<a class=\"skip\" href=\"#main\">Skip to content</a>")
        .open("header").element("p", "Gloo Gateway", "class", "brand")
        .open("nav", "aria-label", "Console").open("ul");
    for (String[] entry : NAV) {
      h.open("li").open("a", "href", entry[0], "aria-current", entry[0].equals(currentPath) ? "page" : null)
          .text(entry[1]).close("a").close("li");
    }
    h.close("ul").close("nav")
        .element("p", "", "id", "live", "role", "status", "aria-live", "polite")
        .close("header")
        .open("main", "id", "main", "tabindex", "-1", "data-token", token)
        .heading(1, title, null)
        .raw(main.toString())
        .close("main")
        .raw("<script src=\"/ui/static/console.js\" defer></script></body></html>\n");
    return h.toString();
  }
}
