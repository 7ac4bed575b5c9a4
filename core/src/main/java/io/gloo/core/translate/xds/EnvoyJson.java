package io.gloo.core.translate.xds;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;

/**
 * Envoy's JSON mapping of xDS protos (what {@code envoy --config-dump} and the xDS docs show), with a type registry
 * that knows every message core packs into an {@code Any}.
 */
public final class EnvoyJson {

  public static final JsonFormat.TypeRegistry TYPES = JsonFormat.TypeRegistry.newBuilder()
      .add(HttpConnectionManager.getDescriptor())
      .add(Router.getDescriptor())
      .add(HttpProtocolOptions.getDescriptor())
      // upstream TLS (the Upstream plugin's sslConfig / useTls)
      .add(UpstreamTlsContext.getDescriptor())
      .build();

  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().usingTypeRegistry(TYPES);
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().usingTypeRegistry(TYPES);

  private EnvoyJson() {}

  public static String print(Message message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getDescriptorForType().getFullName(), e);
    }
  }

  public static <B extends Message.Builder> B parse(String json, B builder) throws InvalidProtocolBufferException {
    PARSER.merge(json, builder);
    return builder;
  }
}
