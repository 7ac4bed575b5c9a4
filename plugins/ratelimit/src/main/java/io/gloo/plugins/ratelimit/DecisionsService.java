package io.gloo.plugins.ratelimit;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.protobuf.StringValue;
import io.gloo.plugins.ratelimit.service.RecentDecisions;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * The admin view of recent limit decisions, on the service's port: unary {@value #SERVICE}/{@code LastLimited}
 * ({@code google.protobuf.StringValue} in, ignored; {@code StringValue} out: a JSON array, newest first, of
 * {@code {at, domain, rule, limit, unit, count, shadow}}). It says which rule limited recent requests; request values
 * are never kept (see {@link RecentDecisions}).
 */
@ThreadSafe
final class DecisionsService implements BindableService {

  static final String SERVICE = "gloo.ratelimit.Decisions";
  static final MethodDescriptor<StringValue, StringValue> LAST_LIMITED =
      MethodDescriptor.<StringValue, StringValue>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "LastLimited"))
          .setRequestMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
          .build();

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final RecentDecisions recent;

  DecisionsService(RecentDecisions recent) {
    this.recent = recent;
  }

  static String json(List<RecentDecisions.Decision> decisions) {
    List<Map<String, Object>> out = decisions.stream().map(d -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("at", Instant.ofEpochMilli(d.atMillis()).toString());
      m.put("domain", d.domain());
      m.put("rule", d.rule());
      m.put("limit", d.limit());
      m.put("unit", d.unit());
      m.put("count", d.count());
      m.put("shadow", d.shadow());
      return m;
    }).toList();
    return JSON.writeValueAsString(out);
  }

  @Override
  public ServerServiceDefinition bindService() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(LAST_LIMITED, ServerCalls.asyncUnaryCall(this::lastLimited))
        .build();
  }

  private void lastLimited(StringValue ignored, StreamObserver<StringValue> response) {
    response.onNext(StringValue.of(json(recent.recent())));
    response.onCompleted();
  }
}
