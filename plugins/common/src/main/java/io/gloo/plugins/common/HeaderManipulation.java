package io.gloo.plugins.common;

import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption.HeaderAppendAction;
import io.gloo.spi.policy.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Gloo's {@code headerManipulation}: {@code requestHeadersToAdd[{header{key,value}, append}],
 * requestHeadersToRemove[], responseHeadersToAdd[], responseHeadersToRemove[]}. {@code append} (default true) maps
 * to Envoy's {@code append_action}: true → APPEND_IF_EXISTS_OR_ADD, false → OVERWRITE_IF_EXISTS_OR_ADD.
 */
public class HeaderManipulation extends GlooObject {

  public List<HeaderValueOption> requestHeadersToAdd;
  public List<String> requestHeadersToRemove;
  public List<HeaderValueOption> responseHeadersToAdd;
  public List<String> responseHeadersToRemove;

  /** {@code {header{key, value}, append}}. Gloo's {@code headerSecretRef} is not supported (reported unknown). */
  public static class HeaderValueOption extends GlooObject {
    public Header header;
    public Boolean append;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      if (header == null) {
        out.add(new Violation(Paths.join(path, "header"), "is required"));
      } else {
        header.validate(Paths.join(path, "header"), out);
      }
    }

    io.envoyproxy.envoy.config.core.v3.HeaderValueOption toEnvoy() {
      return io.envoyproxy.envoy.config.core.v3.HeaderValueOption.newBuilder()
          .setHeader(HeaderValue.newBuilder().setKey(header.key).setValue(header.value == null ? "" : header.value))
          .setAppendAction(append == null || append ? HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD
              : HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
          .build();
    }
  }

  /** {@code {key, value}}. */
  public static class Header extends GlooObject {
    public String key;
    public String value;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      requireText(key, Paths.join(path, "key"), out);
    }
  }

  /** Envoy's four lists, for a route or virtual host builder to add. */
  public record Envoy(List<io.envoyproxy.envoy.config.core.v3.HeaderValueOption> requestHeadersToAdd,
      List<String> requestHeadersToRemove,
      List<io.envoyproxy.envoy.config.core.v3.HeaderValueOption> responseHeadersToAdd,
      List<String> responseHeadersToRemove) {}

  @Override
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out);
    validateAll(requestHeadersToAdd, Paths.join(path, "requestHeadersToAdd"), out);
    validateAll(responseHeadersToAdd, Paths.join(path, "responseHeadersToAdd"), out);
    // Envoy refuses config that edits pseudo-headers, and Host on requests
    checkNames(requestHeadersToAdd == null ? List.of() : requestHeadersToAdd.stream()
        .map(h -> h == null || h.header == null ? null : h.header.key).toList(),
        Paths.join(path, "requestHeadersToAdd"), true, out);
    checkNames(requestHeadersToRemove, Paths.join(path, "requestHeadersToRemove"), true, out);
    checkNames(responseHeadersToAdd == null ? List.of() : responseHeadersToAdd.stream()
        .map(h -> h == null || h.header == null ? null : h.header.key).toList(),
        Paths.join(path, "responseHeadersToAdd"), false, out);
    checkNames(responseHeadersToRemove, Paths.join(path, "responseHeadersToRemove"), false, out);
  }

  private static void checkNames(List<String> names, String path, boolean request, List<Violation> out) {
    if (names == null) {
      return;
    }
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (name == null) {
        continue; // reported as a missing key above, or a null list entry below
      }
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.startsWith(":") || (request && lower.equals("host"))) {
        out.add(new Violation(path + "[" + i + "]", "'" + name + "' cannot be modified (pseudo-header"
            + (request ? " or Host" : "") + ")"));
      } else if (name.isEmpty()) {
        out.add(new Violation(path + "[" + i + "]", "header name must not be empty"));
      }
    }
  }

  public Envoy toEnvoy() {
    List<io.envoyproxy.envoy.config.core.v3.HeaderValueOption> reqAdd = new ArrayList<>();
    List<io.envoyproxy.envoy.config.core.v3.HeaderValueOption> respAdd = new ArrayList<>();
    if (requestHeadersToAdd != null) {
      requestHeadersToAdd.forEach(h -> reqAdd.add(h.toEnvoy()));
    }
    if (responseHeadersToAdd != null) {
      responseHeadersToAdd.forEach(h -> respAdd.add(h.toEnvoy()));
    }
    return new Envoy(reqAdd, requestHeadersToRemove == null ? List.of() : List.copyOf(requestHeadersToRemove),
        respAdd, responseHeadersToRemove == null ? List.of() : List.copyOf(responseHeadersToRemove));
  }
}
