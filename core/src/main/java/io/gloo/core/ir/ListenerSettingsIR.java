package io.gloo.core.ir;

import java.time.Duration;

/**
 * How a listener binds and handles HTTP beyond its routes: the Edge Gateway's {@code bindAddress},
 * {@code useProxyProto} and {@code httpGateway.options.httpConnectionManagerSettings}. Gateway API listeners use
 * {@link #DEFAULT} (every address, no PROXY protocol, Envoy's HTTP defaults with paths normalized).
 *
 * @param bindAddress the IP address the listener binds, or null for every address
 * @param proxyProtocol expect the PROXY protocol header (v1 or v2) before each connection's bytes
 * @param connectionManager HTTP connection manager settings; null fields keep Envoy's (or core's) default
 */
public record ListenerSettingsIR(String bindAddress, boolean proxyProtocol, ConnectionManager connectionManager) {

  public static final ListenerSettingsIR DEFAULT = new ListenerSettingsIR(null, false, ConnectionManager.NONE);

  public ListenerSettingsIR {
    connectionManager = connectionManager == null ? ConnectionManager.NONE : connectionManager;
  }

  /**
   * HTTP connection manager settings as Gloo's {@code HttpConnectionManagerSettings} names them; each null field
   * is left unset. Enumerations hold Envoy's value names (e.g. {@code REJECT_REQUEST}).
   */
  public record ConnectionManager(
      Boolean skipXffAppend, String via, Integer xffNumTrustedHops, Boolean useRemoteAddress,
      Boolean generateRequestId, Boolean preserveExternalRequestId,
      String serverName, String serverHeaderTransformation,
      Duration idleTimeout, Duration streamIdleTimeout, Duration requestTimeout, Duration requestHeadersTimeout,
      Duration drainTimeout, Duration maxConnectionDuration, Duration maxStreamDuration,
      Integer maxRequestHeadersKb, Integer maxHeadersCount, String headersWithUnderscoresAction,
      Boolean normalizePath, Boolean mergeSlashes, String pathWithEscapedSlashesAction, Boolean stripAnyHostPort,
      Boolean acceptHttp10, String defaultHostForHttp10, Boolean allowChunkedLength, Boolean proxy100Continue) {

    public static final ConnectionManager NONE = new ConnectionManager(null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null);
  }
}
