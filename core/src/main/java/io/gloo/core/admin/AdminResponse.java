package io.gloo.core.admin;

import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** One admin API answer, rendered before anything is written (so a failing view never leaves half a response). */
record AdminResponse(int status, String contentType, String body) {

  private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  static AdminResponse text(int status, String body) {
    return new AdminResponse(status, "text/plain", body);
  }

  static AdminResponse json(Object body) {
    return new AdminResponse(200, "application/json", JSON.writeValueAsString(body) + "\n");
  }

  static ObjectMapper mapper() {
    return JSON;
  }
}
