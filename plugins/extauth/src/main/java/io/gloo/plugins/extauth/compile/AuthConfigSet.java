package io.gloo.plugins.extauth.compile;

import io.gloo.plugins.extauth.model.AuthConfigSpec;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Every compiled AuthConfig by config id: what the service serves and what the control plane streams to standalone
 * servers as JSON. Immutable.
 */
public record AuthConfigSet(Map<String, CompiledAuthConfig> configs) {

  public static final AuthConfigSet EMPTY = new AuthConfigSet(Map.of());

  private static final JsonMapper JSON = JsonMapper.builder()
      .changeDefaultPropertyInclusion(i -> i.withValueInclusion(JsonInclude.Include.NON_NULL))
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  public AuthConfigSet {
    configs = java.util.Collections.unmodifiableMap(new TreeMap<>(configs));
  }

  /** The set as JSON (holds secrets: never log it). */
  public String toJson() {
    return JSON.writeValueAsString(this);
  }

  public static AuthConfigSet fromJson(String json) {
    return JSON.readValue(json, AuthConfigSet.class);
  }

  /** Binds a spec from generic maps (tests, examples). */
  public static AuthConfigSpec spec(Object tree) {
    return JSON.convertValue(tree, AuthConfigSpec.class);
  }

  @Override
  public String toString() {
    return "AuthConfigSet" + configs.keySet();
  }
}
