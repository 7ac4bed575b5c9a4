package io.gloo.core.cli;

import io.gloo.core.security.CaDirectory;
import io.gloo.core.security.CertificateAuthority;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * Where commands that issue certificates find the control plane's CA: the state directory {@code gloo serve} uses
 * ({@code --state-dir}, else {@code <config-dir parent>/.gloo}). Mixed into {@code bootstrap} and {@code certs issue}.
 */
final class CaOptions {

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "The control plane's state directory holding its CA (default: <config-dir parent>/.gloo).")
  Path stateDir;

  @Option(names = "--config-dir", paramLabel = "DIR",
      description = "The directory gloo serve serves; its CA is in <config-dir parent>/.gloo.")
  Path configDir;

  /** The state directory, or null when neither option was given. */
  Path resolve() {
    if (stateDir != null) {
      return stateDir;
    }
    return configDir == null ? null : CaDirectory.defaultStateDir(configDir);
  }

  /**
   * Loads the CA (creating it on first use, as {@code gloo serve} would).
   *
   * @throws IllegalArgumentException with a one-line message when no state directory was named
   */
  CertificateAuthority load() throws IOException {
    Path dir = resolve();
    if (dir == null) {
      throw new IllegalArgumentException("give --config-dir (the directory gloo serve serves) or --state-dir,"
          + " to find the control plane's CA");
    }
    return CertificateAuthority.loadOrCreate(dir);
  }

  /** Lifetimes as users write them: 30m, 24h, 30d (or ISO-8601, PT24H). */
  static Duration parseLifetime(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      Duration d;
      if (t.endsWith("d")) {
        d = Duration.ofDays(Long.parseLong(t.substring(0, t.length() - 1)));
      } else if (t.endsWith("h")) {
        d = Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
      } else if (t.endsWith("m")) {
        d = Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
      } else {
        d = Duration.parse(text.trim());
      }
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("--lifetime must be positive, got " + text);
      }
      return d;
    } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("--lifetime must look like 30m, 24h or 30d, got " + text);
    }
  }
}
