package io.gloo.core.xds;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.common.util.concurrent.MoreExecutors;
import io.envoyproxy.controlplane.server.ExecutorGroup;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The xDS server's own threads instead of grpc's process-wide shared ones: an acceptor, the event loops that run
 * TLS and HTTP/2 (netty's default count, twice the cores) and a fixed pool for calls. Named
 * {@value XdsServer#THREAD_PREFIX}{@code *}, so that a thread dump or a profile tells xDS work apart from the plugin
 * servers and gRPC clients in the same process (and the TLS benchmark can measure the server's CPU alone).
 *
 * <p>On Linux the event loops are netty's native epoll transport (bundled in grpc-netty-shaded for x86_64 and
 * aarch64), elsewhere, or with {@code -Dio.grpc.netty.shaded.io.netty.transport.noNative=true}, Java NIO. A new version
 * sent to every proxy is mostly bytes pushed through the event loops (a 2,000-route configuration is ~0.5 MB per
 * proxy); epoll writes them with fewer copies and allocations per write than NIO (bench/README, "xDS fan-out: where
 * the time goes").
 *
 * <p>Thread-safe; {@link #close()} after the server has terminated.
 */
@ThreadSafe
final class XdsThreads implements AutoCloseable {

  private final boolean epoll = Epoll.isAvailable();
  private final EventLoopGroup boss = group(1, "accept");
  private final EventLoopGroup workers = group(0, "io");
  /**
   * Where requests (ACKs) are handled: as many threads as cores (at least 2), not grpc's default of a cached pool.
   * A new version ACKed by 1,000 proxies at once made the cached pool start a thread per ACK in flight (768 threads in
   * one benchmark run), all then queueing on the proxy tracker's lock; handling an ACK never blocks
   * (java-control-plane's watches, the tracker, the pacer), so a few threads keep up and leave the cores to sending.
   */
  private final ExecutorService calls = Executors.newFixedThreadPool(
      Math.max(2, Runtime.getRuntime().availableProcessors()), named(XdsServer.THREAD_PREFIX + "call-"));
  /**
   * Where responses are handed to grpc (as many threads as cores, started on first use): a new version for 1,000
   * streams was sent one stream after the other on the publishing thread (java-control-plane's
   * {@code DefaultExecutorGroup}), so the last stream waited for all others' sends (issue #19, fan-out).
   */
  private final ExecutorService sends = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(),
      named(XdsServer.THREAD_PREFIX + "send-"));

  NettyServerBuilder configure(NettyServerBuilder builder) {
    return builder.bossEventLoopGroup(boss).workerEventLoopGroup(workers)
        .channelType(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class).executor(calls);
  }

  /** Which event loops serve ({@code epoll} or {@code nio}), for the log and the benchmarks. */
  String transport() {
    return epoll ? "epoll" : "nio";
  }

  private EventLoopGroup group(int threads, String name) {
    DefaultThreadFactory factory = new DefaultThreadFactory(XdsServer.THREAD_PREFIX + name, true);
    return epoll ? new EpollEventLoopGroup(threads, factory) : new NioEventLoopGroup(threads, factory);
  }

  /**
   * One executor per stream (java-control-plane asks once per stream), each running its tasks one at a time and in
   * order on the send threads: a stream's responses stay in order, different streams' go out in parallel.
   */
  ExecutorGroup sendExecutors() {
    return () -> MoreExecutors.newSequentialExecutor(sends);
  }

  @Override
  public void close() {
    sends.shutdown();
    calls.shutdown();
    try {
      // Streams cancelled by the server's shutdown still close their calls on this pool, and closing writes the
      // trailers through the event loops: let those callbacks finish first, or each logs a SEVERE
      // RejectedExecutionException ("event executor terminated").
      calls.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    boss.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger next = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + next.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
