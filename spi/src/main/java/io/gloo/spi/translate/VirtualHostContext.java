package io.gloo.spi.translate;

import java.util.List;

/** A call about one Envoy virtual host. */
public interface VirtualHostContext extends TranslationContext {

  /** The Gateway listener names whose routes this virtual host serves. */
  List<String> gatewayListeners();

  /** The virtual host's domains. */
  List<String> domains();
}
