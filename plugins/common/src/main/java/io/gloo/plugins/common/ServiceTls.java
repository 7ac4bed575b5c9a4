package io.gloo.plugins.common;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.Set;

/**
 * The optional TLS mode of the Envoy-facing plugin services (ext-auth {@code Check}, rate-limit
 * {@code ShouldRateLimit}; plugin config {@code tls=true}): who may call them, and the transport socket of the Envoy
 * cluster that calls them. Envoy presents the proxy's own certificate from the control plane's CA (the files a
 * provisioned proxy mounts for xDS, {@value #DEFAULT_CERT_DIR}) and accepts only a server that is the control plane
 * (the in-process service) or that service's standalone replica ({@code spiffe://gloo/service/ratelimit-server},
 * {@code .../extauth-server}: the certificate {@code gloo certs issue --for ratelimit-server} issues): the same
 * cluster then works whichever of the two {@code serviceAddress} points at, and a replica of one service cannot pose
 * as the other. Stateless.
 */
public final class ServiceTls {

  /** Where a provisioned proxy has its certificate ({@code tls.crt}, {@code tls.key}, {@code ca.crt}). */
  public static final String DEFAULT_CERT_DIR = "/etc/gloo/xds-tls";
  /** Every proxy's identity ({@code spiffe://gloo/ns/<ns>/gateway/<name>}, ...) and the control plane's. */
  public static final Set<String> CALLERS = Set.of("spiffe://gloo/ns/*", "spiffe://gloo/control-plane");
  private static final String CONTROL_PLANE = "spiffe://gloo/control-plane";
  /** A standalone replica's identity: {@code SpiffeId.service(name)} in core. */
  private static final String SERVICE_PREFIX = "spiffe://gloo/service/";

  private ServiceTls() {}

  /**
   * An {@code envoy.transport_sockets.tls} socket presenting {@code certDir/tls.crt} + {@code tls.key}, trusting
   * {@code certDir/ca.crt} alone, requiring the server's URI SAN to be {@code spiffe://gloo/control-plane} or
   * {@code spiffe://gloo/service/<replica>}, ALPN h2 (gRPC).
   *
   * @param replica the standalone server's name, {@code ratelimit-server} or {@code extauth-server}
   */
  public static TransportSocket transportSocket(String certDir, String replica) {
    String dir = certDir.endsWith("/") ? certDir : certDir + "/";
    UpstreamTlsContext context = UpstreamTlsContext.newBuilder()
        .setCommonTlsContext(CommonTlsContext.newBuilder()
            .addAlpnProtocols("h2")
            .addTlsCertificates(TlsCertificate.newBuilder()
                .setCertificateChain(file(dir + "tls.crt"))
                .setPrivateKey(file(dir + "tls.key")))
            .setValidationContext(CertificateValidationContext.newBuilder()
                .setTrustedCa(file(dir + "ca.crt"))
                .addMatchTypedSubjectAltNames(uriSan(CONTROL_PLANE))
                .addMatchTypedSubjectAltNames(uriSan(SERVICE_PREFIX + replica))))
        .build();
    return TransportSocket.newBuilder().setName("envoy.transport_sockets.tls").setTypedConfig(Any.pack(context))
        .build();
  }

  private static SubjectAltNameMatcher uriSan(String exact) {
    return SubjectAltNameMatcher.newBuilder().setSanType(SubjectAltNameMatcher.SanType.URI)
        .setMatcher(StringMatcher.newBuilder().setExact(exact)).build();
  }

  private static DataSource file(String path) {
    return DataSource.newBuilder().setFilename(path).build();
  }
}
