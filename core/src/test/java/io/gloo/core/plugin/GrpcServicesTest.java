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

  private static String call(ManagedChannel channel, String service) {
    return ClientCalls.blockingUnaryCall(channel, method(service), io.grpc.CallOptions.DEFAULT, StringValue.of(""))
        .getValue();
  }

  /** A non-blocking service's calls run on the event loop, every time; a blocking one's never do. */
  @Test
  void nonBlockingServicesRunOnTheEventLoopOthersOnTheExecutor() throws Exception {
    ClassLoader pluginLoader = new ClassLoader(getClass().getClassLoader()) {};
    try (GrpcServices services = new GrpcServices()) {
      services.register("fast", pluginLoader, 0, threadReporter("test.Fast"), true);
      services.register("slow", pluginLoader, 0, threadReporter("test.Slow"), false);
      assertTrue(services.runsOnEventLoop(0, "test.Fast"));
      assertFalse(services.runsOnEventLoop(0, "test.Slow"));
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", services.boundPort(0)).usePlaintext()
          .build();
      try {
        String loader = "|" + System.identityHashCode(pluginLoader);
        for (int i = 0; i < 20; i++) {
          String fast = call(channel, "test.Fast");
          String slow = call(channel, "test.Slow");
          assertTrue(fast.endsWith(loader) && slow.endsWith(loader), "the plugin's classloader: " + fast + " " + slow);
          assertTrue(fast.contains("grpc-nio-worker") || fast.contains("ELG"), "event loop thread: " + fast);
          assertTrue(slow.startsWith("gloo-plugin-grpc-"), "pool thread: " + slow);
        }

        services.removeAll("slow");
        assertFalse(services.runsOnEventLoop(0, "test.Slow"), "forgotten with its plugin");
        services.register("slow", pluginLoader, 0, threadReporter("test.Slow"), true);
        assertTrue(services.runsOnEventLoop(0, "test.Slow"), "re-registered as non-blocking");
        String now = call(channel, "test.Slow");
        assertTrue(now.contains("grpc-nio-worker") || now.contains("ELG"), "now on the event loop: " + now);
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
