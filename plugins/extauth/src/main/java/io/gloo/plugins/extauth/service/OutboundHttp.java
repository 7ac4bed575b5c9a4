package io.gloo.plugins.extauth.service;

import com.google.errorprone.annotations.ThreadSafe;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one way auth configs call out over HTTP, bounded by an {@link OutboundPolicy}: plain {@code http} only when
 * allowed; never to an address in a denied range (the host is resolved first, on a small resolver pool, not on the
 * gRPC event loop); the body read up to a byte cap (a larger declared {@code content-length} fails at once, a larger
 * body stops being read); the whole call — connect, headers and body — within a total timeout, after which the
 * exchange is cancelled. Failures are {@link OutboundException}s whose message names the URL's origin, never a
 * token or secret.
 *
 * <p>Known limit: the JDK client resolves the host again when connecting; a DNS answer that changes between the
 * check and the connection (rebinding) is not caught.
 */
@ThreadSafe
public final class OutboundHttp {

  private static final Executor RESOLVER = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "extauth-outbound-resolver");
    t.setDaemon(true);
    return t;
  });

  private final HttpClient http;
  private final OutboundPolicy policy;

  public OutboundHttp(HttpClient http, OutboundPolicy policy) {
    this.http = http;
    this.policy = policy;
  }

  public OutboundPolicy policy() {
    return policy;
  }

  /** A refused or failed outbound call. */
  public static final class OutboundException extends RuntimeException {
    public OutboundException(String message) {
      super(message, null, false, false);
    }
  }

  /** Sends {@code request}; the body is read as UTF-8 up to {@code maxBytes}, the whole call within {@code timeout}. */
  public CompletableFuture<HttpResponse<String>> send(HttpRequest request, long maxBytes, Duration timeout) {
    URI uri = request.uri();
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("https") && !(scheme.equals("http") && policy.allowInsecure())) {
      return CompletableFuture.failedFuture(new OutboundException("refused " + origin(uri) + ": "
          + (scheme.equals("http") ? "plain http is not allowed (outbound.allowInsecure)" : "not an http(s) URL")));
    }
    String host = uri.getHost();
    if (host == null) {
      return CompletableFuture.failedFuture(new OutboundException("refused " + uri.getScheme() + " URL without host"));
    }
    AtomicReference<CompletableFuture<HttpResponse<String>>> exchange = new AtomicReference<>();
    return CompletableFuture.supplyAsync(() -> check(uri, host), RESOLVER)
        .thenCompose(ok -> {
          CompletableFuture<HttpResponse<String>> f = http.sendAsync(request, info -> limited(info, maxBytes, uri));
          exchange.set(f);
          return f;
        })
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((response, error) -> {
          CompletableFuture<HttpResponse<String>> f = exchange.get();
          if (error != null && f != null) {
            f.cancel(true); // stop the exchange (and its body) that ran out of time
          }
        })
        .exceptionallyCompose(error -> CompletableFuture.failedFuture(explain(error, uri, timeout)));
  }

  private Void check(URI uri, String host) {
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
    } catch (UnknownHostException e) {
      throw new OutboundException("cannot resolve " + origin(uri));
    }
    for (InetAddress a : addresses) {
      if (policy.denies(a)) {
        throw new OutboundException("refused " + origin(uri) + ": " + a.getHostAddress()
            + " is in a denied range (outbound.deniedRanges)");
      }
    }
    return null;
  }

  private static Throwable explain(Throwable error, URI uri, Duration timeout) {
    Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause() : error;
    if (cause instanceof OutboundException) {
      return cause;
    }
    if (cause instanceof java.util.concurrent.TimeoutException
        || cause instanceof java.net.http.HttpTimeoutException) {
      return new OutboundException(origin(uri) + " did not answer within " + timeout.toMillis() + " ms");
    }
    return new OutboundException("call to " + origin(uri) + " failed: " + cause.getClass().getSimpleName());
  }

  /** Scheme, host and port: what may be logged of a URL. */
  static String origin(URI uri) {
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
  }

  private static HttpResponse.BodySubscriber<String> limited(HttpResponse.ResponseInfo info, long maxBytes, URI uri) {
    long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
    return new LimitedBody(maxBytes, declared > maxBytes, uri);
  }

  /** Collects at most {@code max} bytes; more fails the body and cancels the rest of it. */
  private static final class LimitedBody implements HttpResponse.BodySubscriber<String> {
    private final long max;
    private final boolean tooLargeAlready;
    private final URI uri;
    private final CompletableFuture<String> result = new CompletableFuture<>();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private Flow.Subscription subscription;

    LimitedBody(long max, boolean tooLargeAlready, URI uri) {
      this.max = max;
      this.tooLargeAlready = tooLargeAlready;
      this.uri = uri;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (tooLargeAlready) {
        s.cancel();
        tooLarge();
        return;
      }
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        if (buffer.size() + (long) b.remaining() > max) {
          subscription.cancel();
          tooLarge();
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        buffer.write(chunk, 0, chunk.length);
      }
    }

    private void tooLarge() {
      result.completeExceptionally(new OutboundException(origin(uri) + " answered more than " + max
          + " bytes"));
    }

    @Override
    public void onError(Throwable error) {
      result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      result.complete(buffer.toString(StandardCharsets.UTF_8));
    }

    @Override
    public CompletionStage<String> getBody() {
      return result;
    }
  }
}
