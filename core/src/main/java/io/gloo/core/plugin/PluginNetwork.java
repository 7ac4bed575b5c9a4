package io.gloo.core.plugin;

import io.grpc.ChannelCredentials;
import java.net.InetAddress;

/**
 * Where plugin services listen and how they authenticate: what {@code gloo serve} (or a standalone service command)
 * hands the {@link PluginManager}.
 *
 * @param bind the address every plugin port listens on ({@code --bind}); null listens on all addresses
 * @param peerTls how to serve services that require an authenticated peer; null when the control plane runs without
 *     a CA ({@code --xds-insecure}): those services are then served in plaintext, with a WARN
 * @param controlPlaneCredentials what this process presents to the control plane when it subscribes to a config
 *     stream (a standalone replica's client certificate); null subscribes in plaintext
 */
public record PluginNetwork(InetAddress bind, PeerTls peerTls, ChannelCredentials controlPlaneCredentials) {

  /** All addresses, no TLS: what tests and {@code gloo plugins} use. */
  public static final PluginNetwork DEFAULT = new PluginNetwork(null, null, null);

  /** The address plugin ports listen on, as logs and errors name it. */
  String describeBind() {
    return bind == null ? "0.0.0.0" : bind.getHostAddress();
  }
}
