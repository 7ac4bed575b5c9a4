package io.gloo.spi.translate;

/** A call to build a backend named by an HTTPRoute backendRef (or a mirror target). */
public interface BackendContext extends TranslationContext {

  /** The name the cluster must have: routes already point at it. */
  String clusterName();
}
