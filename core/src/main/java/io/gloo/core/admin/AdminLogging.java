package io.gloo.core.admin;

import io.gloo.core.logging.LogSettings;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * {@code /logging}: the log format and the loggers' configured levels (GET), and a logger's level changed while
 * running (POST {@code /logging?logger=io.gloo.core.xds&level=debug}; {@code level=reset} makes it inherit again;
 * {@code logger=root} is the root). Served to whom {@link AdminAccess} gives the dumps (loopback by default): a level
 * change can flood the logs, so it is no more open than the dumps. Every change is logged at INFO. Stateless (the
 * levels live in {@link LogSettings}).
 */
final class AdminLogging {

  private static final Logger LOG = LoggerFactory.getLogger(AdminLogging.class);

  private AdminLogging() {}

  static AdminResponse get() {
    StringBuilder b = new StringBuilder("{\"format\":\"")
        .append(LogSettings.get().format().name().toLowerCase(java.util.Locale.ROOT)).append("\",\"levels\":{");
    boolean first = true;
    for (Map.Entry<String, Level> e : LogSettings.get().configured().entrySet()) {
      b.append(first ? "" : ",").append('"').append(jsonEscape(e.getKey())).append("\":\"").append(e.getValue())
          .append('"');
      first = false;
    }
    return new AdminResponse(200, "application/json", b.append("}}\n").toString());
  }

  static AdminResponse post(String rawQuery) {
    Map<String, String> query = parse(rawQuery);
    String logger = query.get("logger");
    String level = query.get("level");
    if (logger == null || logger.isBlank() || level == null) {
      return AdminResponse.text(400, "POST /logging?logger=NAME&level=trace|debug|info|warn|error|reset\n");
    }
    if (level.equalsIgnoreCase("reset")) {
      LogSettings.get().reset(logger);
      LOG.info("log level of {} reset (inherited again) through the admin API", logger);
      return get();
    }
    Level parsed;
    try {
      parsed = LogSettings.parseLevel(level);
    } catch (IllegalArgumentException e) {
      return AdminResponse.text(400, e.getMessage() + "\n");
    }
    LogSettings.get().level(logger, parsed);
    LOG.info("log level of {} set to {} through the admin API", logger, parsed);
    return get();
  }

  private static Map<String, String> parse(String rawQuery) {
    Map<String, String> out = new HashMap<>();
    if (rawQuery == null) {
      return out;
    }
    for (String part : rawQuery.split("&")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        out.put(URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static String jsonEscape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
