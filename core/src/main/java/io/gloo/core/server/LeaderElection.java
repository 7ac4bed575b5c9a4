package io.gloo.core.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which replica writes status: fabric8's {@link LeaderElector} on a {@code coordination.k8s.io/v1} Lease in the
 * control plane's namespace. Every replica translates and serves xDS whatever the outcome; {@code onChange} hears
 * {@code true} when this replica starts leading and {@code false} as soon as it stops (lease lost, or closed). After
 * losing the lease the elector is started again, so the replica stands for election again.
 */
public final class LeaderElection implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);
  public static final String LEASE_NAME = "gloo-gateway-controller";

  /** Lease timings; the defaults are client-go's (15 s lease, 10 s renew deadline, 2 s retry). */
  public record Timings(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
    public static final Timings DEFAULT = new Timings(Duration.ofSeconds(15), Duration.ofSeconds(10),
        Duration.ofSeconds(2));
  }

  private final KubernetesClient client;
  private final String namespace;
  private final String identity;
  private final Timings timings;
  private final Consumer<Boolean> onChange;
  private final AtomicBoolean leading = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile CompletableFuture<?> running;
  private volatile String leader;

  public LeaderElection(KubernetesClient client, String namespace, String identity, Timings timings,
      Consumer<Boolean> onChange) {
    this.client = Objects.requireNonNull(client, "client");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.identity = Objects.requireNonNull(identity, "identity");
    this.timings = Objects.requireNonNull(timings, "timings");
    this.onChange = Objects.requireNonNull(onChange, "onChange");
  }

  /** Starts standing for election, in the background. */
  public LeaderElection start() {
    elect();
    return this;
  }

  private void elect() {
    if (closed.get()) {
      return;
    }
    LeaderElector elector = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
        .withName(LEASE_NAME)
        .withLock(new LeaseLock(namespace, LEASE_NAME, identity))
        .withLeaseDuration(timings.leaseDuration())
        .withRenewDeadline(timings.renewDeadline())
        .withRetryPeriod(timings.retryPeriod())
        .withReleaseOnCancel(true)
        .withLeaderCallbacks(new LeaderCallbacks(this::started, this::stopped, id -> {
          leader = id;
          LOG.info("leader is now {}", id);
        }))
        .build()).build();
    CompletableFuture<?> future = elector.start();
    running = future;
    // The elector's future completes when it stops leading or gives up: stand again, unless closed.
    future.whenComplete((ok, error) -> {
      stopped();
      if (!closed.get()) {
        if (error != null && !(error instanceof java.util.concurrent.CancellationException)) {
          LOG.warn("leader election stopped: {}; standing again", error.toString());
        }
        // After a retry period, so that an elector that fails at once does not spin.
        CompletableFuture.runAsync(this::elect, CompletableFuture.delayedExecutor(
            timings.retryPeriod().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
      }
    });
  }

  private void started() {
    if (closed.get()) {
      return;
    }
    if (!leading.getAndSet(true)) {
      LOG.info("{} is the leader: writing status", identity);
      onChange.accept(true);
    }
  }

  private void stopped() {
    if (leading.getAndSet(false)) {
      LOG.info("{} stopped leading: not writing status", identity);
      onChange.accept(false);
    }
  }

  public boolean isLeader() {
    return leading.get();
  }

  /** The identity of the current leader as last seen, or null. */
  public String leader() {
    return leader;
  }

  public String identity() {
    return identity;
  }

  /** Stops writing at once and releases the lease (so another replica takes over without waiting for expiry). */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    stopped();
    CompletableFuture<?> future = running;
    if (future != null) {
      future.cancel(true);
    }
  }
}
