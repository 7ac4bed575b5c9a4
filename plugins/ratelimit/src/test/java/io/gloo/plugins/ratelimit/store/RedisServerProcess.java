package io.gloo.plugins.ratelimit.store;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on a free loopback port, without persistence, started and stopped by the test. A
 * machine without redis-server fails the test loudly (CI installs it: {@code .ci/run}); it never skips.
 */
public final class RedisServerProcess implements AutoCloseable {

  private final int port;
  private final Path dir;
  private final List<String> extraArgs;
  private Process process;

  private RedisServerProcess(int port, List<String> extraArgs) throws IOException {
    this.port = port;
    this.dir = Files.createTempDirectory("redis-test");
    this.extraArgs = List.copyOf(extraArgs);
  }

  public static RedisServerProcess start() throws IOException {
    return start(List.of());
  }

  /**
   * With more redis-server options, e.g. {@code --requirepass PW}; {@code --tls-port} (no value: this process'
   * port) makes {@link #port()} the TLS port and turns the plaintext port off.
   */
  public static RedisServerProcess start(List<String> extraArgs) throws IOException {
    RedisServerProcess redis = new RedisServerProcess(freePort(), extraArgs);
    redis.startAgain();
    return redis;
  }

  private boolean tls() {
    return extraArgs.contains("--tls-port");
  }

  /** The path of redis-server, or a test failure saying how to install it. */
  public static String binary() {
    for (String dir : List.of("/usr/bin", "/usr/local/bin", "/usr/sbin", "/opt/homebrew/bin")) {
      File f = new File(dir, "redis-server");
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    return fail("redis-server is not installed: the Redis counter-store tests need a real Redis. "
        + "Install it with `apt-get install -y redis-server` (.ci/run does this in CI).");
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  public String address() {
    return "127.0.0.1:" + port;
  }

  /** Starts redis-server on this port (again, after {@link #stop()}) and waits until it answers PING. */
  public void startAgain() throws IOException {
    List<String> command = new java.util.ArrayList<>(List.of(binary(), "--port", tls() ? "0" : Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--protected-mode", "yes"));
    for (String arg : extraArgs) {
      command.add(arg);
      if (arg.equals("--tls-port")) {
        command.add(Integer.toString(port));
      }
    }
    process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile())
        .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        fail("redis-server exited at start: " + Files.readString(dir.resolve("redis.log")));
      }
      if (ping()) {
        return;
      }
      sleep(20);
    }
    fail("redis-server did not answer PING on port " + port + " within 10 s");
  }

  /** Kills redis-server (as an outage would) and waits until it is gone. */
  public void stop() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Sends one command in RESP inline form; returns the raw reply. */
  public String command(String inline) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      s.setSoTimeout(1_000);
      OutputStream out = s.getOutputStream();
      out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      int n = in.read(buf);
      return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.UTF_8);
    }
  }

  /** Whether it answers: PONG, or NOAUTH when it requires a password; with TLS, whether it accepts connections. */
  private boolean ping() {
    try {
      if (tls()) {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 500);
          return true;
        }
      }
      String reply = command("PING");
      return reply.startsWith("+PONG") || reply.startsWith("-NOAUTH");
    } catch (IOException e) {
      return false;
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
