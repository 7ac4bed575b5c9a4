package io.gloo.plugins.extauth;

import io.gloo.plugins.extauth.compile.AuthConfigCompiler;
import io.gloo.plugins.extauth.compile.AuthConfigSet;
import io.gloo.plugins.extauth.compile.CompiledAuthConfig;
import io.gloo.plugins.extauth.model.AuthConfigSpec;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyRef;
import io.gloo.spi.policy.Violation;
import io.gloo.spi.translate.Diagnostics;
import io.gloo.spi.translate.ResourceLookup;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Builds AuthConfig specs from YAML and compiles them against in-memory Secrets, as the sink does. */
public final class TestConfigs {

  private static final ObjectMapper YAML = YAMLMapper.builder().build();

  /** In-memory Secrets and what was reported while compiling. */
  public static final class Secrets implements ResourceLookup {
    public final Map<String, ResourceLookup.SecretData> secrets = new LinkedHashMap<>();
    public final Map<String, Map<String, String>> labels = new HashMap<>();

    public Secrets put(String namespace, String name, String type, Map<String, String> labels,
        Map<String, String> data) {
      Map<String, byte[]> bytes = new LinkedHashMap<>();
      data.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
      secrets.put(namespace + "/" + name, new ResourceLookup.SecretData(namespace, name, type, bytes));
      this.labels.put(namespace + "/" + name, labels);
      return this;
    }

    public Secrets remove(String namespace, String name) {
      secrets.remove(namespace + "/" + name);
      return this;
    }

    @Override
    public Optional<Map<String, byte[]>> secret(String namespace, String name) {
      return Optional.ofNullable(secrets.get(namespace + "/" + name)).map(ResourceLookup.SecretData::data);
    }

    @Override
    public List<ResourceLookup.SecretData> secrets(Map<String, String> matchLabels) {
      List<ResourceLookup.SecretData> out = new ArrayList<>();
      secrets.forEach((key, s) -> {
        if (labels.getOrDefault(key, Map.of()).entrySet().containsAll(matchLabels.entrySet())) {
          out.add(s);
        }
      });
      return out;
    }

    @Override
    public Optional<List<HostPort>> serviceEndpoints(String namespace, String service, int port) {
      return Optional.empty();
    }

    @Override
    public <T> Optional<T> policy(GroupKind kind, Class<T> specType, String namespace, String name) {
      return Optional.empty();
    }
  }

  /** Diagnostics that remember what they were told. */
  public static final class Reports implements Diagnostics {
    public final List<String> warnings = new ArrayList<>();
    public final List<String> errors = new ArrayList<>();

    @Override
    public void warning(String field, String message) {
      warnings.add(field + ": " + message);
    }

    @Override
    public void error(String field, String message) {
      errors.add(field + ": " + message);
    }
  }

  private TestConfigs() {}

  public static AuthConfigSpec spec(String yaml) {
    return YAML.readValue(yaml, AuthConfigSpec.class);
  }

  public static List<Violation> validate(String yaml) {
    return new AuthConfigKind(new AuthConfigCompiler(new byte[32]), s -> {}).validate(spec(yaml));
  }

  /** Validates (must be valid) and compiles {@code yaml} as AuthConfig {@code namespace/name}. */
  public static CompiledAuthConfig compile(String namespace, String name, String yaml, Secrets secrets,
      Reports reports) {
    AuthConfigSpec spec = spec(yaml);
    List<Violation> violations = validate(yaml);
    if (!violations.isEmpty()) {
      throw new IllegalArgumentException("invalid test config: " + violations);
    }
    PolicyRef ref = new PolicyRef(AuthConfigKind.GROUP_KIND, namespace, name);
    return new AuthConfigCompiler("test-session-secret".getBytes(StandardCharsets.UTF_8))
        .compile(ref, 1, spec, secrets, reports).orElseThrow(() -> new IllegalArgumentException(
            "not compiled: " + reports.errors));
  }

  public static AuthConfigSet set(CompiledAuthConfig... configs) {
    Map<String, CompiledAuthConfig> map = new LinkedHashMap<>();
    for (CompiledAuthConfig c : configs) {
      map.put(c.id(), c);
    }
    return new AuthConfigSet(map);
  }
}
