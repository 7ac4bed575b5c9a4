package io.gloo.core.console;

/** One console answer, fully rendered before anything is written. */
public record ConsolePage(int status, String contentType, String body) {

  static final String HTML = "text/html; charset=utf-8";

  static ConsolePage html(String body) {
    return new ConsolePage(200, HTML, body);
  }

  static ConsolePage text(int status, String body) {
    return new ConsolePage(status, "text/plain; charset=utf-8", body);
  }
}
