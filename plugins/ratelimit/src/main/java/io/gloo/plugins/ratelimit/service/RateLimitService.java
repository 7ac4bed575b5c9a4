package io.gloo.plugins.ratelimit.service;

import com.google.errorprone.annotations.ThreadSafe;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/** {@code envoy.service.ratelimit.v3.RateLimitService}: answers {@code ShouldRateLimit} with a {@link RateLimiter}. */
@ThreadSafe
public final class RateLimitService extends RateLimitServiceGrpc.RateLimitServiceImplBase {

  private final RateLimiter limiter;

  public RateLimitService(RateLimiter limiter) {
    this.limiter = limiter;
  }

  @Override
  public void shouldRateLimit(RateLimitRequest request, StreamObserver<RateLimitResponse> responses) {
    limiter.check(request).whenComplete((response, error) -> {
      if (error != null) {
        responses.onError(Status.INTERNAL.withDescription("rate-limit decision failed").withCause(error)
            .asRuntimeException());
      } else {
        responses.onNext(response);
        responses.onCompleted();
      }
    });
  }
}
