package io.gloo.plugins.common;

/** Field paths as violations and diagnostics name them ({@code options.retries.retryBackOff.baseInterval}). */
public final class Paths {
  private Paths() {}

  public static String join(String path, String field) {
    return path == null || path.isEmpty() ? field : path + "." + field;
  }
}
