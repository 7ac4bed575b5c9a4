package io.gloo.core.translate.policy;

import com.google.errorprone.annotations.ThreadSafe;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a failed plugin call (translator, filter, backend or sink threw, timed out or produced invalid config) at
 * WARN with its stack trace, once per plugin, policy and cause: the failure is reported on the policy's status for
 * every route it applies to, but a bad policy on 1,000 routes must make one log entry, not 1,000, and translation
 * runs again on every change. A cause is its exception's class and message (or the failure's message when the
 * plugin did not throw). The last {@value #REMEMBERED} keys are remembered (least recently seen forgotten first),
 * so memory stays bounded and a failure that comes back much later is logged again. One per process.
 */
@ThreadSafe
public final class PluginFailureLog {

  private static final Logger LOG = LoggerFactory.getLogger(PluginFailureLog.class);
  static final int REMEMBERED = 4096;

  private static final Map<String, Boolean> SEEN = new LinkedHashMap<>(64, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > REMEMBERED;
    }
  };

  private static final java.util.concurrent.atomic.AtomicLong LOGGED = new java.util.concurrent.atomic.AtomicLong();

  private PluginFailureLog() {}

  /** How many entries were logged in this process (for tests). */
  static long logged() {
    return LOGGED.get();
  }

  /**
   * Logs {@code failure} of {@code kind}'s plugin for {@code policy} (e.g. its refs) unless this plugin, policy and
   * cause were logged before; returns whether it logged.
   */
  public static boolean log(RegisteredKind kind, Object policy, PluginInvoker.PluginFailure failure) {
    Throwable cause = failure.getCause();
    String causeKey = cause == null ? failure.reason() + ": " + failure.getMessage()
        : cause.getClass().getName() + ": " + cause.getMessage();
    String key = kind.pluginId() + "\n" + policy + "\n" + causeKey;
    synchronized (SEEN) {
      if (SEEN.put(key, Boolean.TRUE) != null) {
        return false;
      }
    }
    LOGGED.incrementAndGet();
    LOG.warn("{} (policy {}); logged once for this plugin, policy and cause, reported on the policy's status each"
        + " time", failure.getMessage(), policy, cause);
    return true;
  }
}
