package io.gloo.plugins.common.configstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A publisher and a subscriber over a real loopback socket, including the control plane going away and back. */
class ConfigStreamTest {

  private static final String SERVICE = "gloo.test.ConfigStream";

  private static Server serve(int port, ConfigPublisher publisher) throws Exception {
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)).addService(publisher).build()
        .start();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void subscribersGetTheCurrentConfigAndEveryChangeOnceAndKeepTheLastWhileThePublisherIsAway() throws Exception {
    ConfigPublisher publisher = new ConfigPublisher(SERVICE);
    publisher.publish("{\"v\":1}");
    Server server = serve(0, publisher);
    int port = server.getPort();
    List<String> received = new CopyOnWriteArrayList<>();
    try (ConfigSubscriber subscriber = new ConfigSubscriber("127.0.0.1:" + port, SERVICE, received::add,
        LoggerFactory.getLogger(ConfigStreamTest.class))) {
      subscriber.start();
      await("the current config", () -> received.size() == 1);
      assertEquals("{\"v\":1}", received.get(0), "a new subscriber gets what was published before it came");
      assertTrue(subscriber.connected());
      assertEquals(1, publisher.subscribers());

      publisher.publish("{\"v\":1}");
      publisher.publish("{\"v\":2}");
      await("the change", () -> received.size() == 2);
      assertEquals(List.of("{\"v\":1}", "{\"v\":2}"), received, "an unchanged config is not resent");

      server.shutdownNow().awaitTermination();
      await("the loss to be noticed", () -> !subscriber.connected());
      assertEquals("{\"v\":2}", subscriber.last().orElseThrow(), "the last config is kept");

      ConfigPublisher restarted = new ConfigPublisher(SERVICE);
      restarted.publish("{\"v\":3}");
      Server again = serve(port, restarted);
      try {
        await("the reconnect", () -> received.size() == 3);
        assertEquals("{\"v\":3}", received.get(2));
        assertTrue(subscriber.connected());
      } finally {
        again.shutdownNow().awaitTermination();
      }
    }
  }

  @Test
  void aClosedSubscriberLeavesThePublisher() throws Exception {
    ConfigPublisher publisher = new ConfigPublisher(SERVICE);
    Server server = serve(0, publisher);
    try {
      ConfigSubscriber subscriber = new ConfigSubscriber("127.0.0.1:" + server.getPort(), SERVICE, json -> {},
          LoggerFactory.getLogger(ConfigStreamTest.class));
      subscriber.start();
      await("the subscription", () -> publisher.subscribers() == 1);
      subscriber.close();
      await("the cancellation", () -> publisher.subscribers() == 0);
    } finally {
      server.shutdownNow().awaitTermination();
    }
  }
}
