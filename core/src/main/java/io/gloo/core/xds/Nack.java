package io.gloo.core.xds;

import java.time.Instant;

/**
 * An Envoy rejection of an xDS response: a request carrying {@code error_detail}.
 *
 * @param nodeId the proxy's {@code node.id}
 * @param group its node group (see {@code io.gloo.core.snapshot.ProxyNodes})
 * @param typeUrl the rejected xDS type
 * @param rejectedVersion the version of the rejected response (looked up by nonce), or {@code ""} if unknown
 * @param acceptedVersion the version the proxy still runs ({@code version_info} of the NACK; {@code ""} for delta)
 * @param nonce the {@code response_nonce} of the NACK
 * @param code the gRPC status code in {@code error_detail}
 * @param message the {@code error_detail} message, i.e. Envoy's reason
 * @param at when the NACK arrived
 */
public record Nack(
    String nodeId,
    String group,
    String typeUrl,
    String rejectedVersion,
    String acceptedVersion,
    String nonce,
    int code,
    String message,
    Instant at) {}
