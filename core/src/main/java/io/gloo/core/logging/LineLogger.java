package io.gloo.core.logging;

import com.google.errorprone.annotations.ThreadSafe;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.MDC;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/**
 * One named logger of {@link GlooLoggerProvider}: checks the level {@link LogSettings} gives its name and writes one
 * line per event to {@code System.err} as it is at that moment (so tests that swap {@code System.err} see the
 * lines, as with slf4j-simple).
 *
 * <p>Text: {@code [thread] LEVEL logger - message}, then the event's key-values as {@code {k=v, ...}}, then the
 * stack trace of an exception (slf4j-simple's layout). JSON: one object per line with {@code time} (ISO-8601 UTC),
 * {@code level}, {@code logger}, {@code thread}, {@code message}, then the event's key-values and the thread's MDC
 * entries (e.g. {@code kind}, {@code namespace}, {@code name} of the resource the line is about), and for an
 * exception {@code error} (its class and message) and, only when the logger is at DEBUG or finer, {@code stack}.
 * Thread-safe: a line is built privately and written with one call.
 */
@ThreadSafe
final class LineLogger extends AbstractLogger implements LoggingEventAware {

  private static final long serialVersionUID = 1L;

  /** The level in force, cached with the settings generation it was read at (packed: generation << 8 | level). */
  private transient volatile long cached = -1;

  LineLogger(String name) {
    this.name = name;
  }

  private Level level() {
    LogSettings settings = LogSettings.get();
    int generation = settings.generation();
    long c = cached;
    if (c >= 0 && (int) (c >>> 8) == generation) {
      return Level.intToLevel((int) (c & 0xff));
    }
    Level level = settings.effective(name);
    cached = ((long) generation << 8) | level.toInt();
    return level;
  }

  private boolean enabled(Level level) {
    return level.toInt() >= level().toInt();
  }

  @Override
  public boolean isTraceEnabled() {
    return enabled(Level.TRACE);
  }

  @Override
  public boolean isTraceEnabled(Marker marker) {
    return enabled(Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return enabled(Level.DEBUG);
  }

  @Override
  public boolean isDebugEnabled(Marker marker) {
    return enabled(Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return enabled(Level.INFO);
  }

  @Override
  public boolean isInfoEnabled(Marker marker) {
    return enabled(Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return enabled(Level.WARN);
  }

  @Override
  public boolean isWarnEnabled(Marker marker) {
    return enabled(Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return enabled(Level.ERROR);
  }

  @Override
  public boolean isErrorEnabled(Marker marker) {
    return enabled(Level.ERROR);
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(Level level, Marker marker, String messagePattern, Object[] arguments,
      Throwable throwable) {
    write(level, MessageFormatter.basicArrayFormat(messagePattern, arguments), List.of(), throwable);
  }

  /** The fluent API's events ({@code LOG.atWarn().addKeyValue("kind", k)...log(...)}), key-values included. */
  @Override
  public void log(LoggingEvent event) {
    if (!enabled(event.getLevel())) {
      return;
    }
    Object[] arguments = event.getArgumentArray();
    String message = arguments == null || arguments.length == 0 ? event.getMessage()
        : MessageFormatter.basicArrayFormat(event.getMessage(), arguments);
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    write(event.getLevel(), message, pairs == null ? List.of() : pairs, event.getThrowable());
  }

  private void write(Level level, String message, List<KeyValuePair> pairs, Throwable throwable) {
    String line = LogSettings.get().format() == LogSettings.Format.JSON
        ? json(level, message, pairs, throwable) : text(level, message, pairs, throwable);
    PrintStream err = System.err;
    err.print(line);
    err.flush();
  }

  private String text(Level level, String message, List<KeyValuePair> pairs, Throwable throwable) {
    StringBuilder b = new StringBuilder(128);
    b.append('[').append(Thread.currentThread().getName()).append("] ").append(level).append(' ').append(name)
        .append(" - ").append(message);
    if (!pairs.isEmpty()) {
      b.append(" {");
      for (int i = 0; i < pairs.size(); i++) {
        b.append(i == 0 ? "" : ", ").append(pairs.get(i).key).append('=').append(pairs.get(i).value);
      }
      b.append('}');
    }
    b.append(System.lineSeparator());
    if (throwable != null) {
      b.append(stackTrace(throwable));
    }
    return b.toString();
  }

  private String json(Level level, String message, List<KeyValuePair> pairs, Throwable throwable) {
    StringBuilder b = new StringBuilder(192);
    b.append("{\"time\":\"").append(Instant.now()).append('"');
    field(b, "level", level.toString());
    field(b, "logger", name);
    field(b, "thread", Thread.currentThread().getName());
    field(b, "message", message);
    for (KeyValuePair pair : pairs) {
      field(b, pair.key, String.valueOf(pair.value));
    }
    Map<String, String> mdc = MDC.getCopyOfContextMap();
    if (mdc != null) {
      for (Map.Entry<String, String> e : mdc.entrySet()) {
        field(b, e.getKey(), e.getValue());
      }
    }
    if (throwable != null) {
      field(b, "error", throwable.toString());
      if (enabled(Level.DEBUG)) {
        field(b, "stack", stackTrace(throwable));
      }
    }
    return b.append('}').append('\n').toString();
  }

  private static void field(StringBuilder b, String key, String value) {
    b.append(',');
    quote(b, key);
    b.append(':');
    quote(b, value);
  }

  /** A JSON string literal (RFC 8259 escapes; other control characters as backslash-u). */
  static void quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }

  private static String stackTrace(Throwable throwable) {
    StringWriter out = new StringWriter();
    throwable.printStackTrace(new PrintWriter(out));
    return out.toString();
  }
}
