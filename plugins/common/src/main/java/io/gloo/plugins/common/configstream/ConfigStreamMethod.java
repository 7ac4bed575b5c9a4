package io.gloo.plugins.common.configstream;

import com.google.protobuf.StringValue;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;

/**
 * The one RPC of a config stream: {@code <service>/Watch}, server streaming. The request names the subscriber (for
 * the control plane's log); each response is the whole current config as JSON. Whole configs rather than deltas:
 * they are small, and a replica that missed some never has to reconcile.
 */
final class ConfigStreamMethod {

  private ConfigStreamMethod() {}

  static MethodDescriptor<StringValue, StringValue> watch(String service) {
    return MethodDescriptor.<StringValue, StringValue>newBuilder()
        .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(service, "Watch"))
        .setRequestMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
        .setResponseMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
        .build();
  }
}
