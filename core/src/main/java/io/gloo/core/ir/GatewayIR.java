package io.gloo.core.ir;

import io.gloo.core.store.ResourceKey;
import java.util.List;

/** Everything one Gateway's proxy serves: its listeners (one per port) and the backends its routes use. */
public record GatewayIR(ResourceKey gateway, List<ListenerIR> listeners, List<BackendIR> backends,
    List<TlsIR.Certificate> certificates) {
  public GatewayIR {
    listeners = List.copyOf(listeners);
    backends = List.copyOf(backends);
    certificates = List.copyOf(certificates);
  }

  public GatewayIR(ResourceKey gateway, List<ListenerIR> listeners, List<BackendIR> backends) {
    this(gateway, listeners, backends, List.of());
  }
}
