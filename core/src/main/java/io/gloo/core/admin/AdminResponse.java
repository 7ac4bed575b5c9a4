package io.gloo.core.admin;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** One admin API answer, rendered before anything is written (so a failing view never leaves half a response). */
record AdminResponse(int status, String contentType, String body) {

  private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  static AdminResponse text(int status, String body) {
    return new AdminResponse(status, "text/plain", body);
  }

  /** A registry's scrape in the Prometheus text exposition format. */
  static AdminResponse prometheus(String scrape) {
    return new AdminResponse(200, "text/plain; version=0.0.4; charset=utf-8", scrape);
  }

  static AdminResponse json(Object body) {
    return new AdminResponse(200, "application/json", JSON.writeValueAsString(body) + "\n");
  }

  /**
   * Writes this answer: status, content type and length, then the body (asynchronously; {@code callback} completes
   * the request). Headers particular to an endpoint are put on {@code response} before.
   */
  void write(Response response, Callback callback) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

  static ObjectMapper mapper() {
    return JSON;
  }
}
