package io.gloo.plugins.common;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.extensions.filters.http.buffer.v3.Buffer;
import io.gloo.spi.policy.Violation;
import java.util.List;

/**
 * Gloo's {@code bufferPerRoute}: one of {@code disabled: true} or {@code buffer{maxRequestBytes}}, translated to
 * {@code extensions.filters.http.buffer.v3.BufferPerRoute} in
 * {@code typed_per_filter_config["envoy.filters.http.buffer"]}.
 */
public class BufferPerRoute extends GlooObject {

  public Boolean disabled;
  public BufferConfig buffer;

  /** {@code {maxRequestBytes}}. */
  public static class BufferConfig extends GlooObject {
    public Long maxRequestBytes;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      if (maxRequestBytes == null || maxRequestBytes <= 0 || maxRequestBytes > 0xFFFF_FFFFL) {
        out.add(new Violation(Paths.join(path, "maxRequestBytes"),
            "is required and must be between 1 and 4294967295, got " + maxRequestBytes));
      }
    }
  }

  @Override
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out);
    boolean off = Boolean.TRUE.equals(disabled);
    if (off == (buffer != null)) {
      out.add(new Violation(path, "exactly one of disabled: true or buffer must be set"));
    }
    validate(buffer, Paths.join(path, "buffer"), out);
  }

  public io.envoyproxy.envoy.extensions.filters.http.buffer.v3.BufferPerRoute toEnvoy() {
    var b = io.envoyproxy.envoy.extensions.filters.http.buffer.v3.BufferPerRoute.newBuilder();
    if (Boolean.TRUE.equals(disabled)) {
      b.setDisabled(true);
    } else {
      b.setBuffer(Buffer.newBuilder().setMaxRequestBytes(UInt32Value.of((int) (long) buffer.maxRequestBytes)));
    }
    return b.build();
  }
}
