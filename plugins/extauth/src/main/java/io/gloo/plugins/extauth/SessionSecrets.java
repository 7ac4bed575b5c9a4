package io.gloo.plugins.extauth;

import io.gloo.plugins.extauth.compile.AuthConfigCompiler;
import io.gloo.plugins.extauth.model.ResourceRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Where the control plane's OIDC session key comes from (plugin config, at most one of): {@code sessionSecret} (the
 * value itself: visible in the process list and shell history, hence a WARN), {@code sessionSecretFile} (a file read
 * once at start, e.g. a mounted Secret; one trailing newline is dropped) or {@code sessionSecretRef}
 * ({@code NAMESPACE/NAME} of a Kubernetes Secret, or a Secret manifest in the config directory, whose {@code key}
 * field is read at every translation, so rotating it needs no restart). None: each config's client secret keys its
 * sessions. Stateless; thread-safe.
 */
final class SessionSecrets {

  /** Larger files are refused: a session key is a few dozen bytes, and {@code /dev/zero} must not fill the heap. */
  static final int MAX_FILE_BYTES = 64 * 1024;

  private SessionSecrets() {}

  /** The compiler keyed as {@code config} says; {@link IllegalArgumentException} naming the key on a bad value. */
  static AuthConfigCompiler compiler(Map<String, String> config, Logger log) {
    String inline = config.get("sessionSecret");
    String file = config.get("sessionSecretFile");
    String ref = config.get("sessionSecretRef");
    if ((inline != null ? 1 : 0) + (file != null ? 1 : 0) + (ref != null ? 1 : 0) > 1) {
      throw new IllegalArgumentException("give at most one of extauth.sessionSecret, extauth.sessionSecretFile and"
          + " extauth.sessionSecretRef");
    }
    if (inline != null) {
      log.warn("extauth.sessionSecret is given on the command line, where the process list and shell history show"
          + " it: prefer extauth.sessionSecretFile=PATH or extauth.sessionSecretRef=NAMESPACE/NAME");
      return new AuthConfigCompiler(inline.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    if (file != null) {
      return new AuthConfigCompiler(readFile(Path.of(file)));
    }
    if (ref != null) {
      return new AuthConfigCompiler(null, parseRef(ref));
    }
    return new AuthConfigCompiler(null);
  }

  static byte[] readFile(Path file) {
    byte[] content;
    try (InputStream in = Files.newInputStream(file)) {
      content = in.readNBytes(MAX_FILE_BYTES + 1);
    } catch (IOException e) {
      String reason = e instanceof java.nio.file.NoSuchFileException ? "no such file"
          : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
          : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
          : e.getClass().getSimpleName();
      throw new IllegalArgumentException("extauth.sessionSecretFile " + file + " cannot be read: " + reason);
    }
    if (content.length > MAX_FILE_BYTES) {
      throw new IllegalArgumentException("extauth.sessionSecretFile " + file + " is larger than " + MAX_FILE_BYTES
          + " bytes: not a session key");
    }
    int end = content.length;
    if (end > 0 && content[end - 1] == '\n') {
      end--;
      if (end > 0 && content[end - 1] == '\r') {
        end--;
      }
    }
    if (end == 0) {
      throw new IllegalArgumentException("extauth.sessionSecretFile " + file + " is empty");
    }
    return Arrays.copyOf(content, end);
  }

  static ResourceRef parseRef(String ref) {
    String[] parts = ref.trim().split("/", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new IllegalArgumentException("extauth.sessionSecretRef must be NAMESPACE/NAME, got '" + ref + "'");
    }
    return new ResourceRef(parts[1], parts[0]);
  }
}
