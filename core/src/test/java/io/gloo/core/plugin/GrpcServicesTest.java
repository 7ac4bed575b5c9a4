package io.gloo.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.StringValue;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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

  /** With a bind address (--bind 127.0.0.1) a plugin port listens there only: not on the host's other addresses. */
  @Test
  void pluginPortsListenOnTheBindAddressOnly() throws Exception {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    try (GrpcServices services = new GrpcServices(new PluginNetwork(loopback, null, null))) {
      services.register("p", getClass().getClassLoader(), 0, threadReporter("test.Bound"), false);
      InetSocketAddress bound = (InetSocketAddress) services.boundAddress(0);
      assertEquals(loopback, bound.getAddress(), "listens on the bind address");
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", bound.getPort()).usePlaintext().build();
      try {
        assertTrue(call(channel, "test.Bound").contains("|"), "reachable on the bind address");
      } finally {
        channel.shutdownNow();
      }
      for (InetAddress other : nonLoopbackAddresses()) {
        try (Socket socket = new Socket()) {
          assertThrows(ConnectException.class, () -> socket.connect(new InetSocketAddress(other, bound.getPort()),
              2000), "not reachable on " + other);
        }
      }
    }
  }

  /** A port that is taken fails the registration, names plugin and address, and is reported until it binds. */
  @Test
  void aTakenPortFailsTheRegistrationAndIsReportedUntilItBinds() throws Exception {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    try (GrpcServices services = new GrpcServices(new PluginNetwork(loopback, null, null))) {
      int port;
      try (ServerSocket taken = new ServerSocket(0, 1, loopback)) {
        port = taken.getLocalPort();
        GrpcServices.PortUnavailableException e = assertThrows(GrpcServices.PortUnavailableException.class,
            () -> services.register("rl", getClass().getClassLoader(), port, threadReporter("test.Taken"), false));
        String expected = "plugin rl cannot listen on 127.0.0.1:" + port + ": ";
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
        assertEquals(1, services.portFailures().size());
        assertTrue(services.portFailures().get(0).startsWith(expected), services.portFailures().toString());
        assertEquals(-1, services.boundPort(port), "nothing serves the port");
      }
      services.register("rl", getClass().getClassLoader(), port, threadReporter("test.Taken"), false);
      assertEquals(List.of(), services.portFailures(), "cleared once the plugin's port binds");

      try (ServerSocket taken = new ServerSocket(0, 1, loopback)) {
        int other = taken.getLocalPort();
        assertThrows(GrpcServices.PortUnavailableException.class,
            () -> services.register("ea", getClass().getClassLoader(), other, threadReporter("test.Other"), false));
      }
      services.removeAll("ea");
      assertEquals(1, services.portFailures().size(), "a failed plugin's services are gone, its failure stays");
      services.forgetFailures("ea");
      assertEquals(List.of(), services.portFailures(), "forgotten when its archive is unloaded");
    }
  }

  /** The host's non-loopback IPv4 addresses (to show a port is not reachable on them). */
  static List<InetAddress> nonLoopbackAddresses() throws Exception {
    List<InetAddress> found = new ArrayList<>();
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nic.isUp() && !nic.isLoopback()) {
        Collections.list(nic.getInetAddresses()).stream()
            .filter(a -> a instanceof java.net.Inet4Address && !a.isLinkLocalAddress()).forEach(found::add);
      }
    }
    return found;
  }
}
