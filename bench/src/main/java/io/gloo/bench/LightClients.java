package io.gloo.bench;

import com.google.protobuf.CodedInputStream;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * ADS methods whose responses are read for their version, type and nonce only, the resources skipped unparsed: the
 * stand-in clients of {@link XdsFanOutBench} live in the benchmark's JVM on the same cores as the server, and a full
 * parse of every response (1,000 streams each parsing a 2,000-route configuration) is CPU that real proxies spend on
 * their own machines. The bytes still cross the connection, HTTP/2 flow control and grpc's deframer as before.
 */
final class LightClients {

  private LightClients() {}

  static final MethodDescriptor<DiscoveryRequest, DiscoveryResponse> SOTW =
      AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod().toBuilder(
          ProtoUtils.marshaller(DiscoveryRequest.getDefaultInstance()), new Marshaller<DiscoveryResponse>() {
            @Override
            DiscoveryResponse build(String version, String type, String nonce) {
              return DiscoveryResponse.newBuilder().setVersionInfo(version).setTypeUrl(type).setNonce(nonce).build();
            }
          }).build();

  static final MethodDescriptor<DeltaDiscoveryRequest, DeltaDiscoveryResponse> DELTA =
      AggregatedDiscoveryServiceGrpc.getDeltaAggregatedResourcesMethod().toBuilder(
          ProtoUtils.marshaller(DeltaDiscoveryRequest.getDefaultInstance()), new Marshaller<DeltaDiscoveryResponse>() {
            @Override
            DeltaDiscoveryResponse build(String version, String type, String nonce) {
              return DeltaDiscoveryResponse.newBuilder().setSystemVersionInfo(version).setTypeUrl(type)
                  .setNonce(nonce).build();
            }
          }).build();

  /** Reads fields 1 (version), 4 (type URL) and 5 (nonce), the same numbers in both response messages. */
  private abstract static class Marshaller<T> implements MethodDescriptor.Marshaller<T> {
    abstract T build(String version, String type, String nonce);

    @Override
    public InputStream stream(T value) {
      throw new UnsupportedOperationException("responses are only read");
    }

    @Override
    public T parse(InputStream stream) {
      try (stream) {
        CodedInputStream in = CodedInputStream.newInstance(stream);
        in.setSizeLimit(Integer.MAX_VALUE);
        String version = "";
        String type = "";
        String nonce = "";
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
          switch (tag >>> 3) {
            case 1 -> version = in.readStringRequireUtf8();
            case 4 -> type = in.readStringRequireUtf8();
            case 5 -> nonce = in.readStringRequireUtf8();
            default -> in.skipField(tag);
          }
        }
        return build(version, type, nonce);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
