package io.gloo.core.translate.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.gloo.core.ir.ListenerIR;
import io.gloo.core.ir.TlsIR;
import io.gloo.spi.translate.StagedHttpFilter;

/** One IR listener → an Envoy {@link Listener} with an HTTP connection manager that takes routes over RDS. */
final class ListenerBuilder {

  static final String HCM_FILTER = "envoy.filters.network.http_connection_manager";
  static final String ROUTER_FILTER = "envoy.filters.http.router";

  private ListenerBuilder() {}

  /** Routes, clusters and endpoints all come over the same ADS stream as the listener. */
  static ConfigSource ads() {
    return ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3)
        .build();
  }

  /** Filters in stage order, then weight, then name; the router always last. */
  static final java.util.Comparator<StagedHttpFilter> FILTER_ORDER = java.util.Comparator
      .comparing(StagedHttpFilter::stage)
      .thenComparingInt(StagedHttpFilter::weight)
      .thenComparing(f -> f.filter().getName());

  static Listener build(ListenerIR ir, java.util.List<StagedHttpFilter> pluginFilters) {
    return build(ir, pluginFilters, false);
  }

  /** @param cors add the CORS filter (first: preflights are answered before any other filter sees them) */
  static Listener build(ListenerIR ir, java.util.List<StagedHttpFilter> pluginFilters, boolean cors) {
    java.util.List<StagedHttpFilter> ordered = new java.util.ArrayList<>(pluginFilters);
    ordered.sort(FILTER_ORDER);
    HttpConnectionManager.Builder hcm = HttpConnectionManager.newBuilder()
        .setStatPrefix(statPrefix(ir.name()))
        .setCodecType(HttpConnectionManager.CodecType.AUTO)
        .setNormalizePath(com.google.protobuf.BoolValue.of(true))
        .setRds(Rds.newBuilder().setRouteConfigName(ir.name()).setConfigSource(ads()));
    ConnectionManagerSettings.apply(ir.settings().connectionManager(), hcm);
    if (cors) {
      hcm.addHttpFilters(HttpFilter.newBuilder()
          .setName(RouteBuilder.CORS_FILTER)
          .setTypedConfig(Any.pack(Cors.getDefaultInstance())));
    }
    for (StagedHttpFilter f : ordered) {
      hcm.addHttpFilters(f.filter());
    }
    hcm.addHttpFilters(HttpFilter.newBuilder()
        .setName(ROUTER_FILTER)
        .setTypedConfig(Any.pack(Router.getDefaultInstance())));
    Filter hcmFilter = Filter.newBuilder().setName(HCM_FILTER).setTypedConfig(Any.pack(hcm.build())).build();
    HttpConnectionManager plain = hcm.build();
    Listener.Builder listener = Listener.newBuilder()
        .setName(ir.name())
        .setAddress(Address.newBuilder().setSocketAddress(
            SocketAddress.newBuilder().setAddress(bindAddress(ir)).setPortValue(ir.port())));
    if (ir.settings().proxyProtocol()) {
      // first: the PROXY header precedes the TLS handshake and every HTTP byte
      listener.addListenerFilters(ListenerFilter.newBuilder()
          .setName(PROXY_PROTOCOL)
          .setTypedConfig(Any.pack(ProxyProtocol.getDefaultInstance())));
    }
    if (!ir.tls()) {
      return listener.addFilterChains(FilterChain.newBuilder().addFilters(hcmFilter)).build();
    }
    // HTTPS: the TLS inspector reads the SNI, which picks the Gateway listener's filter chain and certificates.
    listener.addListenerFilters(ListenerFilter.newBuilder()
        .setName(TLS_INSPECTOR)
        .setTypedConfig(Any.pack(TlsInspector.getDefaultInstance())));
    for (TlsIR.Chain chain : ir.tlsChains()) {
      FilterChain.Builder fc = FilterChain.newBuilder().setName(ir.name() + "~" + chain.gatewayListener());
      if (chain.serverName() != null) {
        fc.setFilterChainMatch(FilterChainMatch.newBuilder().addServerNames(chain.serverName()));
      }
      CommonTlsContext.Builder common = CommonTlsContext.newBuilder()
          .addAlpnProtocols("h2").addAlpnProtocols("http/1.1");
      for (String secret : chain.secrets()) {
        common.addTlsCertificateSdsSecretConfigs(
            SdsSecretConfig.newBuilder().setName(secret).setSdsConfig(ads()));
      }
      DownstreamTlsContext.Builder downstream = DownstreamTlsContext.newBuilder();
      TlsIR.ClientValidation validation = chain.clientValidation();
      if (validation != null) {
        SdsSecretConfig trustedCa = SdsSecretConfig.newBuilder()
            .setName(validation.trustedCa().name()).setSdsConfig(ads()).build();
        if (validation.allowInsecureFallback()) {
          // AllowInsecureFallback: ask for a client certificate, but accept none or an untrusted one
          common.setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
              .setDefaultValidationContext(CertificateValidationContext.newBuilder()
                  .setTrustChainVerification(CertificateValidationContext.TrustChainVerification.ACCEPT_UNTRUSTED))
              .setValidationContextSdsSecretConfig(trustedCa));
          downstream.setRequireClientCertificate(com.google.protobuf.BoolValue.of(false));
        } else {
          // AllowValidOnly: the handshake fails without a certificate chaining to the trusted CA
          common.setValidationContextSdsSecretConfig(trustedCa);
          downstream.setRequireClientCertificate(com.google.protobuf.BoolValue.of(true));
        }
      }
      fc.setTransportSocket(TransportSocket.newBuilder()
          .setName(TLS_TRANSPORT_SOCKET)
          .setTypedConfig(Any.pack(downstream.setCommonTlsContext(common).build())));
      // each chain routes with its own configuration (its listener's hosts; 421 for the others')
      HttpConnectionManager chainHcm = plain.toBuilder()
          .setRds(plain.getRds().toBuilder().setRouteConfigName(chain.routeConfiguration())).build();
      listener.addFilterChains(fc.addFilters(
          Filter.newBuilder().setName(HCM_FILTER).setTypedConfig(Any.pack(chainHcm))));
    }
    return listener.build();
  }

  static final String TLS_INSPECTOR = "envoy.filters.listener.tls_inspector";
  static final String PROXY_PROTOCOL = "envoy.filters.listener.proxy_protocol";

  private static String bindAddress(ListenerIR ir) {
    return ir.settings().bindAddress() == null ? "0.0.0.0" : ir.settings().bindAddress();
  }
  static final String TLS_TRANSPORT_SOCKET = "envoy.transport_sockets.tls";

  /** A certificate as an SDS Secret, served with the listener over the same ADS stream. */
  static Secret secret(TlsIR.Certificate certificate) {
    return Secret.newBuilder()
        .setName(certificate.name())
        .setTlsCertificate(TlsCertificate.newBuilder()
            .setCertificateChain(DataSource.newBuilder().setInlineString(certificate.certificateChain()))
            .setPrivateKey(DataSource.newBuilder().setInlineString(certificate.privateKey())))
        .build();
  }

  /** Trusted CA certificates for client certificate validation, as an SDS validation-context Secret. */
  static Secret secret(TlsIR.TrustedCa ca) {
    return Secret.newBuilder()
        .setName(ca.name())
        .setValidationContext(CertificateValidationContext.newBuilder()
            .setTrustedCa(DataSource.newBuilder().setInlineString(ca.pem())))
        .build();
  }

  /** Envoy stat prefixes may not contain '~' meaningfully: keep them to [a-z0-9_]. */
  static String statPrefix(String name) {
    return name.replaceAll("[^A-Za-z0-9_]", "_");
  }
}
