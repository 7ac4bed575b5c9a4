package io.gloo.core.logging;

import com.google.errorprone.annotations.ThreadSafe;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.event.Level;

/**
 * The process's logging settings: the line format (text or JSON) and the level of each logger, changeable while
 * running ({@code --log-level}, {@code --log-format}, the admin API's {@code /logging}). A logger's level is that of
 * its nearest configured ancestor by dotted name ({@code io.gloo.core} covers {@code io.gloo.core.xds.XdsServer}),
 * else the root level (INFO). Loggers cache their level and look again when {@link #generation()} moves, so a change
 * costs one volatile read per log call, not a map lookup.
 *
 * <p>Starts from slf4j-simple's keys, which gloo used before and which tests and users still pass:
 * {@code org.slf4j.simpleLogger.defaultLogLevel} and {@code org.slf4j.simpleLogger.log.NAME} from system properties
 * and the class path's {@code simplelogger.properties}; {@code gloo.log.format} and {@code gloo.log.level} system
 * properties as well. Thread-safe.
 */
@ThreadSafe
public final class LogSettings {

  /** How a line is written. */
  public enum Format {
    /** slf4j-simple's layout: {@code [thread] LEVEL logger - message}. */
    TEXT,
    /** One JSON object per line: time, level, logger, thread, message, the event's key-values and MDC. */
    JSON;

    /** text or json, any case. */
    public static Format parse(String value) {
      switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "text":
          return TEXT;
        case "json":
          return JSON;
        default:
          throw new IllegalArgumentException("log format must be text or json, not '" + value + "'");
      }
    }
  }

  static final String ROOT = "";
  private static final String SIMPLE_PREFIX = "org.slf4j.simpleLogger.";
  private static final LogSettings INSTANCE = new LogSettings();

  private final Map<String, Level> levels = new ConcurrentHashMap<>();
  private final AtomicInteger generation = new AtomicInteger();
  private volatile Format format = Format.TEXT;

  private LogSettings() {
    levels.put(ROOT, Level.INFO);
    Properties defaults = new Properties();
    try (InputStream in = LogSettings.class.getClassLoader().getResourceAsStream("simplelogger.properties")) {
      if (in != null) {
        defaults.load(in);
      }
    } catch (IOException | IllegalArgumentException e) {
      // a broken file leaves the defaults; there is no logger yet to say so
    }
    apply(defaults);
    apply(System.getProperties());
  }

  /** The settings of this process. */
  public static LogSettings get() {
    return INSTANCE;
  }

  private void apply(Properties properties) {
    for (String key : properties.stringPropertyNames()) {
      String value = properties.getProperty(key);
      try {
        if (key.equals(SIMPLE_PREFIX + "defaultLogLevel") || key.equals("gloo.log.level")) {
          levels.put(ROOT, parseLevel(value));
        } else if (key.startsWith(SIMPLE_PREFIX + "log.")) {
          levels.put(key.substring((SIMPLE_PREFIX + "log.").length()), parseLevel(value));
        } else if (key.equals("gloo.log.format")) {
          format = Format.parse(value);
        }
      } catch (IllegalArgumentException e) {
        // an unknown level or format in a property is ignored, as slf4j-simple ignores it
      }
    }
    generation.incrementAndGet();
  }

  /** trace, debug, info, warn, error (any case); {@code off} is error here (nothing quieter is offered). */
  public static Level parseLevel(String value) {
    String v = value.trim().toUpperCase(Locale.ROOT);
    if (v.equals("OFF")) {
      return Level.ERROR;
    }
    try {
      return Level.valueOf(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "log level must be one of trace, debug, info, warn, error, not '" + value + "'");
    }
  }

  public Format format() {
    return format;
  }

  public void format(Format newFormat) {
    format = newFormat;
  }

  /** Sets the level of {@code logger} and everything under it not configured itself; "" or "root" is the root. */
  public void level(String logger, Level level) {
    levels.put(rootName(logger), level);
    generation.incrementAndGet();
  }

  /** Forgets {@code logger}'s own level (it inherits again); the root keeps one. */
  public void reset(String logger) {
    String name = rootName(logger);
    if (!name.equals(ROOT) && levels.remove(name) != null) {
      generation.incrementAndGet();
    }
  }

  /** The configured levels by logger name ("root" for the root), sorted. */
  public Map<String, Level> configured() {
    Map<String, Level> out = new TreeMap<>();
    levels.forEach((name, level) -> out.put(name.equals(ROOT) ? "root" : name, level));
    return out;
  }

  /** The level in force for {@code logger}: its own or its nearest configured ancestor's. */
  public Level effective(String logger) {
    String name = logger;
    while (true) {
      Level level = levels.get(name);
      if (level != null) {
        return level;
      }
      if (name.isEmpty()) {
        return Level.INFO;
      }
      int dot = name.lastIndexOf('.');
      name = dot < 0 ? ROOT : name.substring(0, dot);
    }
  }

  int generation() {
    return generation.get();
  }

  private static String rootName(String logger) {
    String name = logger == null ? ROOT : logger.trim();
    return name.equalsIgnoreCase("root") ? ROOT : name;
  }
}
