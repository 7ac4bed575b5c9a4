package io.gloo.plugins.extauth.service;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.rpc.Code;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.grpc.stub.StreamObserver;
import java.util.List;
import org.slf4j.Logger;

/**
 * {@code envoy.service.auth.v3.Authorization/Check}: {@code context_extensions.config_id} selects the AuthConfig;
 * an unknown id, or a step that fails to decide, is denied with 403 (fail closed). Each decision is counted
 * ({@code extauth_checks{decision, reason}}) and logged at debug with the config id, status and reason only —
 * never a header value, token, key or password.
 */
@ThreadSafe
public final class AuthorizationService extends AuthorizationGrpc.AuthorizationImplBase {

  /** Context extension naming the config. */
  public static final String CONFIG_ID = "config_id";

  /** Where decisions are counted. */
  public interface Metrics {
    void decision(boolean allowed, String reason, long nanos);

    Metrics NONE = (allowed, reason, nanos) -> {};
  }

  private final AuthRuntime runtime;
  private final Metrics metrics;
  private final Logger log;

  public AuthorizationService(AuthRuntime runtime, Metrics metrics, Logger log) {
    this.runtime = runtime;
    this.metrics = metrics;
    this.log = log;
  }

  @Override
  public void check(CheckRequest request, StreamObserver<CheckResponse> observer) {
    long start = System.nanoTime();
    CheckContext context = new CheckContext(request);
    String configId = context.contextExtension(CONFIG_ID);
    AuthChain chain = configId == null ? null : runtime.chain(configId);
    if (chain == null) {
      respond(observer, configId, AuthResult.forbidden(configId == null ? "no_config_id" : "unknown_config"), start);
      return;
    }
    try {
      chain.check(context).whenComplete((result, error) -> respond(observer, configId,
          error != null ? AuthResult.forbidden("error") : result, start));
    } catch (RuntimeException e) {
      respond(observer, configId, AuthResult.forbidden("error"), start);
    }
  }

  private void respond(StreamObserver<CheckResponse> observer, String configId, AuthResult result, long start) {
    metrics.decision(result.allowed(), result.reason(), System.nanoTime() - start);
    if (log.isDebugEnabled()) {
      log.debug("check config_id={} decision={} status={} reason={}", configId,
          result.allowed() ? "allow" : "deny", result.httpStatus(), result.reason());
    }
    observer.onNext(toResponse(result));
    observer.onCompleted();
  }

  static CheckResponse toResponse(AuthResult result) {
    if (result.allowed()) {
      OkHttpResponse.Builder ok = OkHttpResponse.newBuilder();
      result.upstreamHeaders().forEach(h -> ok.addHeaders(option(h)));
      result.responseHeaders().forEach(h -> ok.addResponseHeadersToAdd(option(h)));
      return CheckResponse.newBuilder().setStatus(Status.newBuilder().setCode(Code.OK_VALUE))
          .setOkResponse(ok).build();
    }
    DeniedHttpResponse.Builder denied = DeniedHttpResponse.newBuilder()
        .setStatus(HttpStatus.newBuilder().setCodeValue(result.httpStatus()))
        .setBody(result.body());
    result.responseHeaders().forEach(h -> denied.addHeaders(option(h)));
    int code = result.httpStatus() == 401 ? Code.UNAUTHENTICATED_VALUE : Code.PERMISSION_DENIED_VALUE;
    return CheckResponse.newBuilder().setStatus(Status.newBuilder().setCode(code)).setDeniedResponse(denied).build();
  }

  private static HeaderValueOption option(AuthResult.Header h) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(h.name()).setValue(h.value()))
        .setAppendAction(h.append() ? HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD
            : HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
        .build();
  }

  /** The config ids served, for tests and the admin view. */
  public List<String> configIds() {
    return List.copyOf(runtime.configIds());
  }
}
