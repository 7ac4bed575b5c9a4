package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import java.util.ArrayList;
import java.util.List;

/** A Gateway's status from its translation state: per-listener conditions and the Gateway's own. Stateless. */
final class GatewayStatuses {

  static final String REASON_ADDRESS_NOT_USABLE = "AddressNotUsable";

  private GatewayStatuses() {}

  /** An address of a type the spec does not define (IPAddress, Hostname, or a domain-prefixed custom type we lack). */
  static String unsupportedAddress(Gateway gateway) {
    if (gateway.getSpec().getAddresses() == null) {
      return null;
    }
    for (var address : gateway.getSpec().getAddresses()) {
      String type = address.getType() == null ? "IPAddress" : address.getType();
      if (!type.equals("IPAddress") && !type.equals("Hostname")) {
        return "spec.addresses: address type " + type + " is not supported";
      }
    }
    return null;
  }

  static GatewayStatus of(GatewayContext ctx) {
    Long generation = ctx.gateway.getMetadata().getGeneration();
    List<ListenerStatus> listenerStatuses = new ArrayList<>();
    int invalid = 0;
    List<ListenerContext> own = ctx.ownListeners();
    for (ListenerContext l : own) {
      if (l.unsupportedReason != null || l.invalidReason != null || l.conflictReason != null) {
        invalid++;
      }
      listenerStatuses.add(listenerStatus(l, generation));
    }
    Conditions c = new Conditions(generation);
    if (invalid == 0) {
      c.set(GatewayApi.ACCEPTED, true, GatewayApi.REASON_ACCEPTED, "accepted by " + GatewayApi.CONTROLLER_NAME);
    } else {
      c.set(GatewayApi.ACCEPTED, invalid < own.size(), GatewayApi.REASON_LISTENERS_NOT_VALID,
          invalid + " of " + own.size() + " listeners are not valid");
    }
    if (ctx.rejectedReason != null) {
      c.set(GatewayApi.ACCEPTED, false, ctx.rejectedReason, ctx.rejectedMessage);
    }
    boolean anyServable = ctx.rejectedReason == null
        && own.stream().anyMatch(ListenerContext::servable);
    if (ctx.hasClientCertificateRef) {
      if (ctx.clientCertificate.certificate() != null) {
        c.set(GatewayApi.RESOLVED_REFS, true, GatewayApi.REASON_RESOLVED_REFS, "all references resolved");
      } else {
        c.set(GatewayApi.RESOLVED_REFS, false, ctx.clientCertificate.reason(), ctx.clientCertificate.message());
      }
    }
    c.set(GatewayApi.PROGRAMMED, anyServable, anyServable ? GatewayApi.REASON_PROGRAMMED : GatewayApi.REASON_INVALID,
        anyServable ? "configuration translated for the proxy" : "no listener can be served");
    if (ctx.rejectedReason == null && !ctx.addresses.notUsable().isEmpty()) {
      c.set(GatewayApi.PROGRAMMED, false, REASON_ADDRESS_NOT_USABLE,
          "spec.addresses not usable: " + String.join(", ", ctx.addresses.notUsable()));
    }
    if (ListenerTls.insecureFallbackConfigured(ctx.gateway)) {
      c.set(GatewayApi.INSECURE_FRONTEND_VALIDATION_MODE, true, GatewayApi.REASON_CONFIGURATION_CHANGED,
          "tls.frontend uses validation mode " + GatewayApi.MODE_ALLOW_INSECURE_FALLBACK
              + ": clients without a trusted certificate are accepted");
    }
    GatewayStatus status = new GatewayStatus();
    status.setConditions(c.build());
    if (ctx.rejectedReason == null && !ctx.addresses.usable().isEmpty()) {
      // the provisioner puts these on the proxy Service (externalIPs): assigned as soon as it exists
      List<GatewayStatusAddress> addresses = new ArrayList<>();
      for (String ip : ctx.addresses.usable()) {
        GatewayStatusAddress a = new GatewayStatusAddress();
        a.setType("IPAddress");
        a.setValue(ip);
        addresses.add(a);
      }
      status.setAddresses(addresses);
    }
    status.setListeners(listenerStatuses);
    if (ctx.gateway.getSpec().getAllowedListeners() != null || !ctx.listenerSets.isEmpty()) {
      // left unset for Gateways that take no part in ListenerSets (the spec reads unset as 0)
      status.setAttachedListenerSets((int) ctx.listenerSets.stream().filter(ListenerSets.Set::accepted).count());
    }
    return status;
  }

  /**
   * One listener's status. A ListenerSet's listener that loses to an earlier one (the spec's precedence) is
   * Accepted and Programmed False with the conflict's reason; the Gateway's own conflicting listeners stay Accepted.
   */
  static ListenerStatus listenerStatus(ListenerContext l, Long generation) {
    Conditions c = new Conditions(generation);
    if (l.unsupportedReason != null) {
      c.set(GatewayApi.ACCEPTED, false, l.unsupportedReason, l.unsupportedMessage);
      c.set(GatewayApi.PROGRAMMED, false, GatewayApi.REASON_INVALID, l.unsupportedMessage);
    } else if (l.invalidReason != null) {
      c.set(GatewayApi.ACCEPTED, false, l.invalidReason, l.invalidMessage);
      c.set(GatewayApi.PROGRAMMED, false, GatewayApi.REASON_INVALID, l.invalidMessage);
    } else if (l.conflictReason != null && l.owner != null) {
      c.set(GatewayApi.ACCEPTED, false, l.conflictReason, "an earlier listener holds port " + l.port);
      c.set(GatewayApi.CONFLICTED, true, l.conflictReason,
          "a listener of higher precedence on port " + l.port + " conflicts with this one");
      c.set(GatewayApi.PROGRAMMED, false, l.conflictReason, "listener conflicts: " + l.conflictReason);
    } else if (l.conflictReason != null) {
      c.set(GatewayApi.ACCEPTED, true, GatewayApi.REASON_ACCEPTED, "listener is valid");
      c.set(GatewayApi.CONFLICTED, true, l.conflictReason,
          "another listener on port " + l.port + " conflicts with this one");
      c.set(GatewayApi.PROGRAMMED, false, GatewayApi.REASON_INVALID, "listener conflicts: " + l.conflictReason);
    } else {
      c.set(GatewayApi.ACCEPTED, true, GatewayApi.REASON_ACCEPTED, "listener accepted");
      c.set(GatewayApi.CONFLICTED, false, GatewayApi.REASON_NO_CONFLICTS, "no conflicts");
      c.set(GatewayApi.PROGRAMMED, true, GatewayApi.REASON_PROGRAMMED, "listener programmed");
    }
    if (!l.overlappingHostnames.isEmpty()) {
      // negative polarity: set only when true
      c.set(GatewayApi.OVERLAPPING_TLS_CONFIG, true, GatewayApi.REASON_OVERLAPPING_HOSTNAMES,
          "hostname overlaps with that of HTTPS listener(s) " + String.join(", ", l.overlappingHostnames)
              + " on port " + l.port + ": a client may reuse a connection made for one listener's certificate"
              + " for the other's hosts");
    }
    if (l.refsReason != null) {
      if (l.unsupportedReason == null && l.invalidReason == null && l.conflictReason == null) {
        c.set(GatewayApi.PROGRAMMED, false, GatewayApi.REASON_INVALID, l.refsMessage);
      }
      c.set(GatewayApi.RESOLVED_REFS, false, l.refsReason, l.refsMessage);
    } else if (l.caRefsReason != null) {
      c.set(GatewayApi.RESOLVED_REFS, false, l.caRefsReason, l.caRefsMessage);
    } else if (l.invalidKinds.isEmpty()) {
      c.set(GatewayApi.RESOLVED_REFS, true, GatewayApi.REASON_RESOLVED_REFS, "all references resolved");
    } else {
      c.set(GatewayApi.RESOLVED_REFS, false, GatewayApi.REASON_INVALID_ROUTE_KINDS,
          "unsupported route kinds: " + String.join(", ", l.invalidKinds));
    }
    ListenerStatus status = new ListenerStatus();
    status.setName(l.name);
    status.setSupportedKinds(List.copyOf(l.supportedKinds));
    status.setAttachedRoutes(l.attachedRoutes);
    status.setConditions(c.build());
    return status;
  }
}
