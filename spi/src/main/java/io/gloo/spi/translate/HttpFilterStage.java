package io.gloo.spi.translate;

/**
 * Where an HTTP filter sits in the connection manager's chain, in this order; the router is always last and owned
 * by core. The stages follow Gloo's filter stages.
 */
public enum HttpFilterStage {
  FAULT,
  CORS,
  WAF,
  AUTHN,
  AUTHZ,
  RATELIMIT,
  ACCEPTED,
  OUTAUTH,
  ROUTE
}
