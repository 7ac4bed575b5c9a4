package io.gloo.core.translate;

import io.gloo.core.ir.GatewayIR;
import io.gloo.core.report.StatusReport;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.gatewayapi.GatewayApiTranslator;
import io.gloo.core.translate.xds.XdsTranslator;
import java.util.HashMap;
import java.util.Map;

/**
 * The translation engine: resources → intermediate model ({@link GatewayApiTranslator}) → Envoy protos
 * ({@link XdsTranslator}). A pure function of the resource snapshot; not thread-safe (one translation at a time).
 */
public final class Translator {

  private final GatewayApiTranslator gatewayApi = new GatewayApiTranslator();
  private final XdsTranslator xds = new XdsTranslator();

  public TranslationResult translate(ResourceSnapshot snapshot) {
    GatewayApiTranslator.Result ir = gatewayApi.translate(snapshot);
    Map<ResourceKey, XdsResources> gateways = new HashMap<>();
    try {
      for (GatewayIR gateway : ir.gateways()) {
        gateways.put(gateway.gateway(), xds.translate(gateway));
      }
    } finally {
      xds.finishTranslation(); // keeps only this translation's protos for reuse by the next one
    }
    return new TranslationResult(gateways, new StatusReport(ir.statuses()));
  }
}
