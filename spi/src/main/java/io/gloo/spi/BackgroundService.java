package io.gloo.spi;

/** A long-running task a plugin runs inside the gateway process (a cache refresher, a stream to another service). */
public interface BackgroundService {

  /** A name for logs and readiness. */
  String name();

  /** Starts the service; must return promptly (start threads of your own, or schedule work). */
  void start() throws Exception;

  /** Stops it; called when the plugin stops or the process shuts down. */
  void stop() throws Exception;
}
