/**
 * The control plane's trust: its {@link io.gloo.core.security.CertificateAuthority} (directory or Kubernetes
 * Secret), the identities it issues certificates for ({@link io.gloo.core.security.SpiffeId},
 * {@code spiffe://gloo/...} URI SANs) and grpc credentials built from them ({@link io.gloo.core.security.GrpcTls}).
 * xDS and the plugin services use these for mutual TLS; the peer identity in a verified client certificate is what
 * authorization decides on, never what a client says about itself.
 */
package io.gloo.core.security;
