package io.gloo.core.admin;

import io.gloo.core.evaluate.QueryString;
import io.gloo.core.logging.LogSettings;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /logging}: the log format and the loggers' configured levels (GET), and a logger's level changed while
 * running (POST {@code /logging?logger=io.gloo.core.xds&level=debug}; {@code level=reset} makes it inherit again;
 * {@code logger=root} is the root). Served to whom {@link AdminAccess} gives the dumps (loopback by default): a level
 * change can flood the logs, so it is no more open than the dumps. Every change is logged at INFO. Stateless (the
 * levels live in {@link LogSettings}).
 */
final class AdminLogging {

  private static final Logger LOG = LoggerFactory.getLogger(AdminLogging.class);
  private static final JsonMapper COMPACT = JsonMapper.builder().build();

  private AdminLogging() {}

  static AdminResponse get() {
    // compact: one line, as the endpoint has always answered; Jackson escapes logger names a client chose
    ObjectNode root = COMPACT.createObjectNode();
    root.put("format", LogSettings.get().format().name().toLowerCase(java.util.Locale.ROOT));
    ObjectNode levels = root.putObject("levels");
    for (Map.Entry<String, Level> e : LogSettings.get().configured().entrySet()) {
      levels.put(e.getKey(), e.getValue().toString());
    }
    return new AdminResponse(200, "application/json", COMPACT.writeValueAsString(root) + "\n");
  }

  static AdminResponse post(String rawQuery) {
    QueryString query = QueryString.parse(rawQuery);
    String logger = query.first("logger");
    String level = query.first("level");
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
}
