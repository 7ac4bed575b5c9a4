package io.gloo.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The benchmark harness measures a case and its floor, counts wrong answers, and tabulates ratios per round. */
class GrpcFloorTest {

  static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  static final MethodDescriptor<String, String> ECHO = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("test.Echo/Echo")
      .setRequestMarshaller(TEXT).setResponseMarshaller(TEXT).build();

  @Test
  void measuresTheCaseAndItsFloorAndCountsWrongAnswers() throws Exception {
    ServerServiceDefinition echo = ServerServiceDefinition.builder("test.Echo")
        .addMethod(ECHO, ServerCalls.asyncUnaryCall((String request, io.grpc.stub.StreamObserver<String> out) -> {
          out.onNext(request.equals("b") ? "wrong" : "ok");
          out.onCompleted();
        }))
        .build();
    GrpcFloor floor = new GrpcFloor(4, 1, Duration.ofMillis(100), Duration.ofMillis(300));
    GrpcFloor.Result[] results = floor.round(new GrpcFloor.Case<>("echo", () -> echo, ECHO, List.of("a", "b"), "ok",
        "ok"::equals));
    GrpcFloor.Result floorResult = results[0];
    GrpcFloor.Result caseResult = results[1];
    assertTrue(floorResult.callsPerSecond() > 0 && caseResult.callsPerSecond() > 0, List.of(results).toString());
    assertEquals(0, floorResult.errors(), "the floor answers every call with the fixed response");
    assertTrue(caseResult.errors() > 0, "every other request is answered wrongly and counted");
    assertTrue(caseResult.cpuMicrosPerCall() > 0, caseResult.toString());
    String table = floor.table(Map.of("echo", 1e9));
    assertTrue(table.contains("echo") && table.contains("MISSED"), table);
    assertEquals(caseResult.callsPerSecond() / floorResult.callsPerSecond(), floor.median("echo", 0), 1e-9);
  }
}
