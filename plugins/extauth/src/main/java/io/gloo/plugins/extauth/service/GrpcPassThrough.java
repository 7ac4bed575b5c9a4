package io.gloo.plugins.extauth.service;

import com.google.errorprone.annotations.ThreadSafe;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * {@code passThroughAuth.grpc}: forwards the CheckRequest to another {@code envoy.service.auth.v3.Authorization}
 * server and adopts its decision (headers included). If that server cannot be reached in time, the request is
 * denied, or allowed with {@code failureModeAllow}. The channel is shared per address (see {@link ServiceClients}).
 */
@ThreadSafe
public final class GrpcPassThrough implements Authenticator {

  private final ManagedChannel channel;
  private final Duration timeout;
  private final boolean failureModeAllow;

  public GrpcPassThrough(ManagedChannel channel, Duration timeout, boolean failureModeAllow) {
    this.channel = channel;
    this.timeout = timeout;
    this.failureModeAllow = failureModeAllow;
  }

  @Override
  public CompletionStage<AuthResult> check(CheckContext request) {
    CompletableFuture<AuthResult> out = new CompletableFuture<>();
    AuthorizationGrpc.newStub(channel).withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .check(request.request(), new StreamObserver<>() {
          @Override
          public void onNext(CheckResponse response) {
            out.complete(adopt(response));
          }

          @Override
          public void onError(Throwable t) {
            out.complete(failureModeAllow ? AuthResult.ok("passthrough_unavailable_allowed")
                : AuthResult.forbidden("passthrough_unavailable"));
          }

          @Override
          public void onCompleted() {
            out.complete(AuthResult.forbidden("passthrough_no_answer"));
          }
        });
    return out;
  }

  private static AuthResult adopt(CheckResponse response) {
    if (response.getStatus().getCode() == 0) {
      List<AuthResult.Header> up = headers(response.getOkResponse().getHeadersList());
      List<AuthResult.Header> down = headers(response.getOkResponse().getResponseHeadersToAddList());
      return AuthResult.ok("passthrough_grpc", up).withResponseHeaders(down);
    }
    int status = response.hasDeniedResponse() && response.getDeniedResponse().getStatus().getCodeValue() > 0
        ? response.getDeniedResponse().getStatus().getCodeValue() : 403;
    List<AuthResult.Header> down = headers(response.getDeniedResponse().getHeadersList());
    return new AuthResult(false, status, List.of(), down, response.getDeniedResponse().getBody(),
        "passthrough_grpc_denied");
  }

  private static List<AuthResult.Header> headers(List<HeaderValueOption> options) {
    List<AuthResult.Header> out = new ArrayList<>();
    for (HeaderValueOption o : options) {
      boolean append = o.hasAppend() ? o.getAppend().getValue()
          : o.getAppendAction() == HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD;
      out.add(new AuthResult.Header(o.getHeader().getKey(), o.getHeader().getValue(), append));
    }
    return out;
  }
}
