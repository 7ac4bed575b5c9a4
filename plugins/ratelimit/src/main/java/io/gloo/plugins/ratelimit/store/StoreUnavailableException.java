package io.gloo.plugins.ratelimit.store;

/** The counter store could not answer (Redis down, timed out, ...). The message never holds counter keys. */
public class StoreUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
