package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.gloo.core.ir.BackendIR;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The backend (cluster and endpoints) built for each Service port in the previous translation, reused while the
 * Service and its EndpointSlices are the same instances: most translations change neither, and the xDS stage caches
 * cluster protos by backend instance. Keeps the last translation's backends only. Not thread-safe: one translation
 * at a time.
 */
final class BackendCache {

  /** A backend and what it was built from. */
  static final class Built {
    final Service service;
    final List<EndpointSlice> slices;
    final BackendIR backend;
    final boolean websocket;
    /** The same backend over HTTP/2 (a GRPCRoute uses it), made once. */
    private BackendIR http2;

    Built(Service service, List<EndpointSlice> slices, BackendIR backend, boolean websocket) {
      this.service = service;
      this.slices = slices;
      this.backend = backend;
      this.websocket = websocket;
    }

    BackendIR http2() {
      if (http2 == null) {
        http2 = backend.withHttp2();
      }
      return http2;
    }

    /** Whether it was built from these very objects. */
    boolean builtFrom(Service service, List<EndpointSlice> slices) {
      if (this.service != service || this.slices.size() != slices.size()) {
        return false;
      }
      for (int i = 0; i < slices.size(); i++) {
        if (this.slices.get(i) != slices.get(i)) {
          return false;
        }
      }
      return true;
    }
  }

  private Map<String, Built> previous = new HashMap<>();
  private Map<String, Built> current = new HashMap<>();

  /** The cluster's backend of the previous translation, or null. */
  Built previous(String cluster) {
    return previous.get(cluster);
  }

  /** The cluster's backend in this translation, or null. */
  Built current(String cluster) {
    return current.get(cluster);
  }

  void keep(String cluster, Built built) {
    current.put(cluster, built);
  }

  /** Ends a translation: only its backends are kept for the next one. */
  void finish() {
    previous = current;
    current = new HashMap<>();
  }
}
