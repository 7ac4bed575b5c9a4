package io.gloo.bench;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.gloo.core.security.CertificateAuthority;
import io.grpc.ChannelCredentials;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link XdsTlsBench}'s 100 stand-in proxies in a JVM of their own, as Envoys are processes of their own: the
 * benchmark's JVM then runs only the control plane, so its process CPU is the product's cost alone, and the clients'
 * TLS work (which an Envoy does in native BoringSSL code) no longer runs on the server's JIT, heap and GC.
 *
 * <p>Protocol on stdin/stdout, one line each: the parent sends {@code plain PORT} or {@code tls PORT}; the child builds
 * its channels and answers {@code built} ({@code tls-ecdsa PORT}: with certificates from the second CA); the parent takes its CPU readings and sends {@code go}; the child runs one
 * {@link XdsTlsBench#round}, answers {@code measured WALL_NS CPU_NS} (its own process CPU) as soon as the last proxy
 * has ACKed, then {@code closed} once its channels are shut down. It issues its own client certificates from
 * the CA directory the parent created. Not thread-safe: one round at a time.
 */
public final class XdsTlsBenchClients {

  private XdsTlsBenchClients() {}

  /**
   * {@code XdsTlsBenchClients CA_DIR ROUTES [ECDSA_CA_DIR]}: run rounds as the parent asks, until stdin closes.
   */
  public static void main(String[] args) throws Exception {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(Path.of(args[0]));
    int routes = Integer.parseInt(args[1]);
    CertificateAuthority ecdsaCa = args.length > 2 ? CertificateAuthority.loadOrCreate(Path.of(args[2])) : null;
    XdsTlsBench.Names names = XdsTlsBench.names(XdsTlsBench.publish(routes, new SimpleMeterRegistry()).current()
        .get(XdsTlsBench.GATEWAY));
    Node node = XdsTlsBench.node();
    List<ChannelCredentials> plain = XdsTlsBench.clientCredentials(ca, false);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.US_ASCII);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    out.println("ready");
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] command = line.split(" ");
      // new certificates each round (the server is new too: see XdsTlsBench), issued before the clock starts
      List<ChannelCredentials> credentials = switch (command[0]) {
        case "tls" -> XdsTlsBench.clientCredentials(ca, true);
        case "tls-ecdsa" -> XdsTlsBench.clientCredentials(ecdsaCa, true);
        default -> plain;
      };
      XdsTlsBench.round("localhost", Integer.parseInt(command[1]), credentials, node, names, () -> {
        out.println("built");
        try {
          in.readLine(); // go
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, m -> out.println("measured " + m[0] + " " + m[1]));
      out.println("closed");
    }
  }

  /** The parent's handle on the child process. Not thread-safe. */
  static final class Remote implements AutoCloseable {
    private final Process process;
    private final PrintWriter commands;
    private final BufferedReader answers;

    private Remote(Process process) {
      this.process = process;
      this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.US_ASCII);
      this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
    }

    /**
     * Starts the child on this JVM's class path (stderr inherited) and waits until its proxies are ready.
     *
     * @param ecdsaCaDir a second CA's state directory for the {@code tls-ecdsa} rounds, or null
     */
    static Remote start(Path caDir, Path ecdsaCaDir, int routes) throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> command = new java.util.ArrayList<>(List.of(java, "-Xms256m", "-Xmx512m",
          "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
          XdsTlsBenchClients.class.getName(), caDir.toString(), String.valueOf(routes)));
      if (ecdsaCaDir != null) {
        command.add(ecdsaCaDir.toString());
      }
      Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      Remote remote = new Remote(process);
      remote.expect("ready");
      return remote;
    }

    /**
     * One round against {@code port} ({@code mode}: plain, tls or tls-ecdsa): the wall time the child measured,
     * this process's CPU (the control plane's)
     * and its xDS threads' CPU over the same span, and the child's process CPU, in ns.
     */
    long[] round(String mode, int port) throws IOException {
      commands.println(mode + " " + port);
      expect("built");
      long cpuStart = XdsTlsBench.processCpuNanos();
      long gcStart = gcMillis();
      java.util.Map<Long, Long> serverCpuStart = XdsTlsBench.serverCpu();
      commands.println("go");
      String[] measured = expect("measured").split(" ");
      long cpu = XdsTlsBench.processCpuNanos() - cpuStart;
      long serverCpu = XdsTlsBench.serverCpuSince(serverCpuStart);
      long gc = gcMillis() - gcStart;
      expect("closed");
      return new long[] {Long.parseLong(measured[1]), cpu, serverCpu, Long.parseLong(measured[2]), gc};
    }

    /** This JVM's accumulated GC time (pauses and, for G1, concurrent cycles), in ms. */
    private static long gcMillis() {
      return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
          .mapToLong(b -> Math.max(0, b.getCollectionTime())).sum();
    }

    private String expect(String word) throws IOException {
      for (String line = answers.readLine(); line != null; line = answers.readLine()) {
        if (line.startsWith(word)) {
          return line;
        }
        System.out.println("client process: " + line); // not the protocol: something the child printed
      }
      throw new IllegalStateException("the client process ended before answering " + word);
    }

    @Override
    public void close() throws InterruptedException {
      commands.close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
