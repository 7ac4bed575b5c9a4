package io.gloo.core.ir;

import io.gloo.core.store.ResourceKey;
import java.util.List;

/**
 * Everything one Gateway's proxy serves: its HTTP listeners (one per port), its TCP/TLS/UDP listeners
 * ({@code l4Listeners}) and the backends their routes use.
 */
public record GatewayIR(ResourceKey gateway, List<ListenerIR> listeners, List<BackendIR> backends,
    List<TlsIR.Certificate> certificates, List<L4ListenerIR> l4Listeners) {
  public GatewayIR {
    listeners = List.copyOf(listeners);
    backends = List.copyOf(backends);
    certificates = List.copyOf(certificates);
    l4Listeners = List.copyOf(l4Listeners);
  }

  /** A Gateway with HTTP listeners only. */
  public GatewayIR(ResourceKey gateway, List<ListenerIR> listeners, List<BackendIR> backends,
      List<TlsIR.Certificate> certificates) {
    this(gateway, listeners, backends, certificates, List.of());
  }

  public GatewayIR(ResourceKey gateway, List<ListenerIR> listeners, List<BackendIR> backends) {
    this(gateway, listeners, backends, List.of());
  }
}
