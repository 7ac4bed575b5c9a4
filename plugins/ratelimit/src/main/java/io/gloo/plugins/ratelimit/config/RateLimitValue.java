package io.gloo.plugins.ratelimit.config;

import io.gloo.plugins.common.GlooObject;
import io.gloo.plugins.common.Paths;
import io.gloo.spi.policy.Violation;
import java.util.List;
import java.util.Locale;

/** {@code rateLimit{unit: SECOND|MINUTE|HOUR|DAY, requestsPerUnit}}: how many requests one window allows. */
public class RateLimitValue extends GlooObject {

  public String unit;
  public Long requestsPerUnit;

  /** The window lengths Gloo (and Envoy's reference service) know. */
  public enum Unit {
    SECOND(1), MINUTE(60), HOUR(3600), DAY(86400);

    private final long seconds;

    Unit(long seconds) {
      this.seconds = seconds;
    }

    public long seconds() {
      return seconds;
    }

    /** The unit named {@code text} (case-insensitive), or null. */
    public static Unit parse(String text) {
      if (text == null) {
        return null;
      }
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  }

  public Unit parsedUnit() {
    return Unit.parse(unit);
  }

  @Override
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out);
    if (unit == null) {
      out.add(new Violation(Paths.join(path, "unit"), "is required (SECOND, MINUTE, HOUR or DAY)"));
    } else if (Unit.parse(unit) == null) {
      out.add(new Violation(Paths.join(path, "unit"), "unknown unit '" + unit + "' (use SECOND, MINUTE, HOUR or DAY)"));
    }
    if (requestsPerUnit == null) {
      out.add(new Violation(Paths.join(path, "requestsPerUnit"), "is required"));
    } else if (requestsPerUnit < 0 || requestsPerUnit > 0xFFFF_FFFFL) {
      out.add(new Violation(Paths.join(path, "requestsPerUnit"), "must be in [0, 4294967295], got " + requestsPerUnit));
    }
  }
}
