package io.gloo.spi.translate;

/** A call about one Envoy listener (one Gateway port) and its HTTP connection manager. */
public interface ListenerContext extends TranslationContext {

  int port();
}
