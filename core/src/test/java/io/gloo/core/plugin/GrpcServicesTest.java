package io.gloo.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.StringValue;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import org.junit.jupiter.api.Test;

/**
 * Plugin gRPC services over a real socket: a service registered as non-blocking runs its calls on the transport's
 * event loop, any other on gRPC's executor, both on one port, each with its plugin's classloader as context.
 */
class GrpcServicesTest {

  private static MethodDescriptor<StringValue, StringValue> method(String service) {
    return MethodDescriptor.<StringValue, StringValue>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(service, "Where"))
        .setRequestMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
        .setResponseMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
        .build();
  }

  /** Answers with the name of the thread the call ran on and its context classloader's identity. */
  private static ServerServiceDefinition threadReporter(String service) {
    return ServerServiceDefinition.builder(service)
        .addMethod(method(service), ServerCalls.asyncUnaryCall((request, response) -> {
          Thread t = Thread.currentThread();
          response.onNext(StringValue.of(t.getName() + "|" + System.identityHashCode(t.getContextClassLoader())));
          response.onCompleted();
        }))
        .build();
  }

  @Test
  void nonBlockingServicesRunOnTheEventLoopOthersOnTheExecutor() throws Exception {
    ClassLoader pluginLoader = new ClassLoader(getClass().getClassLoader()) {};
    try (GrpcServices services = new GrpcServices()) {
      services.register("fast", pluginLoader, 0, threadReporter("test.Fast"), true);
      services.register("slow", pluginLoader, 0, threadReporter("test.Slow"), false);
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", services.boundPort(0)).usePlaintext()
          .build();
      try {
        String fast = ClientCalls.blockingUnaryCall(channel, method("test.Fast"), io.grpc.CallOptions.DEFAULT,
            StringValue.of("")).getValue();
        String slow = ClientCalls.blockingUnaryCall(channel, method("test.Slow"), io.grpc.CallOptions.DEFAULT,
            StringValue.of("")).getValue();
        String loader = "|" + System.identityHashCode(pluginLoader);
        assertTrue(fast.endsWith(loader) && slow.endsWith(loader), fast + " " + slow);
        assertTrue(fast.contains("grpc-nio-worker") || fast.contains("ELG"), "event loop thread: " + fast);
        assertTrue(slow.contains("grpc-default-executor"), "executor thread: " + slow);
        assertFalse(slow.contains("grpc-nio-worker"), slow);

        services.removeAll("slow");
        services.register("slow", pluginLoader, 0, threadReporter("test.Slow"), true);
        assertEquals(services.boundPort(0), services.boundPort(0), "the port's server kept serving");
        String now = ClientCalls.blockingUnaryCall(channel, method("test.Slow"), io.grpc.CallOptions.DEFAULT,
            StringValue.of("")).getValue();
        assertFalse(now.contains("grpc-default-executor"), "re-registered as non-blocking: " + now);
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
