package io.gloo.core.translate.xds;

import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.gloo.core.ir.ListenerSettingsIR;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * {@link ListenerSettingsIR.ConnectionManager} → the fields of Envoy's {@link HttpConnectionManager}: each set
 * field overrides the builder's value, unset ones leave it. Values are checked by the translator that made the IR
 * (enumeration names are Envoy's). Stateless.
 */
final class ConnectionManagerSettings {

  private ConnectionManagerSettings() {}

  static void apply(ListenerSettingsIR.ConnectionManager s, HttpConnectionManager.Builder hcm) {
    if (s == ListenerSettingsIR.ConnectionManager.NONE) {
      return;
    }
    set(s.skipXffAppend(), hcm::setSkipXffAppend);
    set(s.via(), hcm::setVia);
    set(s.xffNumTrustedHops(), hcm::setXffNumTrustedHops);
    set(s.useRemoteAddress(), v -> hcm.setUseRemoteAddress(BoolValue.of(v)));
    set(s.generateRequestId(), v -> hcm.setGenerateRequestId(BoolValue.of(v)));
    set(s.preserveExternalRequestId(), hcm::setPreserveExternalRequestId);
    set(s.serverName(), hcm::setServerName);
    set(s.serverHeaderTransformation(), v -> hcm.setServerHeaderTransformation(
        HttpConnectionManager.ServerHeaderTransformation.valueOf(v)));
    set(s.streamIdleTimeout(), v -> hcm.setStreamIdleTimeout(proto(v)));
    set(s.requestTimeout(), v -> hcm.setRequestTimeout(proto(v)));
    set(s.requestHeadersTimeout(), v -> hcm.setRequestHeadersTimeout(proto(v)));
    set(s.drainTimeout(), v -> hcm.setDrainTimeout(proto(v)));
    set(s.maxRequestHeadersKb(), v -> hcm.setMaxRequestHeadersKb(UInt32Value.of(v)));
    set(s.normalizePath(), v -> hcm.setNormalizePath(BoolValue.of(v)));
    set(s.mergeSlashes(), hcm::setMergeSlashes);
    set(s.pathWithEscapedSlashesAction(), v -> hcm.setPathWithEscapedSlashesAction(
        HttpConnectionManager.PathWithEscapedSlashesAction.valueOf(v)));
    set(s.stripAnyHostPort(), hcm::setStripAnyHostPort);
    set(s.proxy100Continue(), hcm::setProxy100Continue);
    HttpProtocolOptions.Builder common = hcm.getCommonHttpProtocolOptions().toBuilder();
    set(s.idleTimeout(), v -> common.setIdleTimeout(proto(v)));
    set(s.maxConnectionDuration(), v -> common.setMaxConnectionDuration(proto(v)));
    set(s.maxStreamDuration(), v -> common.setMaxStreamDuration(proto(v)));
    set(s.maxHeadersCount(), v -> common.setMaxHeadersCount(UInt32Value.of(v)));
    set(s.headersWithUnderscoresAction(), v -> common.setHeadersWithUnderscoresAction(
        HttpProtocolOptions.HeadersWithUnderscoresAction.valueOf(v)));
    if (!common.build().equals(HttpProtocolOptions.getDefaultInstance())) {
      hcm.setCommonHttpProtocolOptions(common);
    }
    Http1ProtocolOptions.Builder http1 = hcm.getHttpProtocolOptions().toBuilder();
    set(s.acceptHttp10(), http1::setAcceptHttp10);
    set(s.defaultHostForHttp10(), http1::setDefaultHostForHttp10);
    set(s.allowChunkedLength(), http1::setAllowChunkedLength);
    if (!http1.build().equals(Http1ProtocolOptions.getDefaultInstance())) {
      hcm.setHttpProtocolOptions(http1);
    }
  }

  private static <T> void set(T value, Consumer<T> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }

  private static com.google.protobuf.Duration proto(Duration d) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
  }
}
