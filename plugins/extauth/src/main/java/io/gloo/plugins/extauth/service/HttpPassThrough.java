package io.gloo.plugins.extauth.service;

import com.google.errorprone.annotations.ThreadSafe;
import io.gloo.plugins.extauth.model.PassThroughAuth;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * {@code passThroughAuth.http}: POSTs to an HTTP auth service, copying the request's {@code allowedHeaders} (plus
 * {@code headersToAdd}) and telling it the original method, path and host in {@code x-forwarded-method},
 * {@code x-forwarded-uri} and {@code x-forwarded-host}. A 200 allows the request and copies the service's
 * {@code allowedUpstreamHeaders} upstream; any other status denies with that status (and the service's
 * {@code allowedClientHeadersOnDenied}); 5xx or no answer is a failure (denied 403, or allowed with
 * {@code failureModeAllow}). The whole call (body included) is bounded by {@code connectionTimeout} and goes through
 * {@link OutboundHttp} (https unless allowed, denied ranges). Thread-safe.
 */
@ThreadSafe
public final class HttpPassThrough implements Authenticator {

  private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

  private final URI url;
  private final Duration timeout;
  private final boolean failureModeAllow;
  private final OutboundHttp http;
  private final List<String> allowedHeaders;
  private final Map<String, String> headersToAdd;
  private final List<String> upstreamHeaders;
  private final List<String> deniedHeaders;

  public HttpPassThrough(PassThroughAuth.Http spec, Duration timeout, boolean failureModeAllow, OutboundHttp http) {
    this.url = URI.create(spec.url);
    this.timeout = timeout;
    this.failureModeAllow = failureModeAllow;
    this.http = http;
    this.allowedHeaders = spec.request == null || spec.request.allowedHeaders == null ? List.of()
        : spec.request.allowedHeaders.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    this.headersToAdd = spec.request == null || spec.request.headersToAdd == null ? Map.of()
        : Map.copyOf(spec.request.headersToAdd);
    this.upstreamHeaders = spec.response == null || spec.response.allowedUpstreamHeaders == null ? List.of()
        : List.copyOf(spec.response.allowedUpstreamHeaders);
    this.deniedHeaders = spec.response == null || spec.response.allowedClientHeadersOnDenied == null ? List.of()
        : List.copyOf(spec.response.allowedClientHeadersOnDenied);
  }

  @Override
  public CompletionStage<AuthResult> check(CheckContext request) {
    HttpRequest.Builder out = HttpRequest.newBuilder(url).timeout(timeout)
        .POST(HttpRequest.BodyPublishers.noBody())
        .header("x-forwarded-method", request.method())
        .header("x-forwarded-uri", request.path());
    if (request.host() != null) {
      out.header("x-forwarded-host", request.host());
    }
    for (String name : allowedHeaders) {
      String value = request.header(name);
      if (value != null && !RESTRICTED.contains(name)) {
        out.header(name, value);
      }
    }
    headersToAdd.forEach(out::header);
    // the service's body is not used: read at most outbound.maxIntrospectionBytes of it, all within the timeout
    return http.send(out.build(), http.policy().maxIntrospectionBytes(), timeout).handle((response, error) -> {
      if (error != null || response.statusCode() >= 500) {
        return failureModeAllow ? AuthResult.ok("passthrough_unavailable_allowed")
            : AuthResult.forbidden("passthrough_unavailable");
      }
      if (response.statusCode() == 200) {
        return AuthResult.ok("passthrough_http", copy(response, upstreamHeaders));
      }
      return new AuthResult(false, response.statusCode(), List.of(), copy(response, deniedHeaders), "",
          "passthrough_http_denied");
    });
  }

  private static List<AuthResult.Header> copy(HttpResponse<?> response, List<String> names) {
    List<AuthResult.Header> out = new ArrayList<>();
    for (String name : names) {
      response.headers().allValues(name).forEach(v -> out.add(new AuthResult.Header(name, v)));
    }
    return out;
  }
}
