package io.gloo.core.translate.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Redacts the fields Envoy marks {@code (udpa.annotations.sensitive)} (private keys, passwords, tokens), as Envoy's
 * own config dump does, so that no output of ours (CLI, admin API, golden files) shows them. Recurses into nested
 * messages and {@code Any}-packed configs (transport sockets carry the TLS contexts).
 */
public final class SensitiveFields {

  /** What a redacted string or bytes field holds instead. */
  public static final String REDACTED = "[redacted]";

  /** Per message type: whether anything inside can be sensitive (most types cannot; skip them quickly). */
  private static final Map<Descriptor, Boolean> MAY_CONTAIN = new ConcurrentHashMap<>();

  private SensitiveFields() {}

  public static Message redact(Message message) {
    if (!mayContainSensitive(message.getDescriptorForType(), new java.util.HashSet<>())) {
      return message;
    }
    Message.Builder builder = message.toBuilder();
    for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
      FieldDescriptor field = e.getKey();
      if (isSensitive(field)) {
        builder.clearField(field);
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isRepeated()) {
          builder.setField(field, placeholder(field.getMessageType()));
        } else if (field.getJavaType() == FieldDescriptor.JavaType.STRING && !field.isRepeated()) {
          builder.setField(field, REDACTED);
        }
        continue;
      }
      if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (field.isRepeated()) {
        @SuppressWarnings("unchecked")
        List<Object> values = (List<Object>) e.getValue();
        builder.clearField(field);
        for (Object v : values) {
          builder.addRepeatedField(field, redactValue((Message) v));
        }
      } else {
        builder.setField(field, redactValue((Message) e.getValue()));
      }
    }
    return builder.build();
  }

  private static Message redactValue(Message value) {
    if (value instanceof Any any) {
      return redactAny(any);
    }
    return redact(value);
  }

  private static Message redactAny(Any any) {
    String url = any.getTypeUrl();
    Descriptor type = EnvoyJson.descriptor(url.substring(url.lastIndexOf('/') + 1));
    if (type == null || !mayContainSensitive(type, new java.util.HashSet<>())) {
      return any;
    }
    try {
      Message inner = redact(DynamicMessage.parseFrom(type, any.getValue()));
      return Any.newBuilder().setTypeUrl(url).setValue(inner.toByteString()).build();
    } catch (InvalidProtocolBufferException e) {
      return Any.newBuilder().setTypeUrl(url).build(); // unreadable: show nothing rather than risk a secret
    }
  }

  /** A DataSource with {@code inline_string: [redacted]}, or another message with its first string field so set. */
  private static Message placeholder(Descriptor type) {
    DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
    FieldDescriptor inline = type.findFieldByName("inline_string");
    if (inline != null) {
      return b.setField(inline, REDACTED).build();
    }
    for (FieldDescriptor f : type.getFields()) {
      if (f.getJavaType() == FieldDescriptor.JavaType.STRING && !f.isRepeated()) {
        b.setField(f, REDACTED);
        break;
      }
    }
    return b.build();
  }

  private static boolean isSensitive(FieldDescriptor field) {
    return Boolean.TRUE.equals(field.getOptions().getExtension(udpa.annotations.Sensitive.sensitive))
        || Boolean.TRUE.equals(field.getOptions().getExtension(xds.annotations.v3.Sensitive.sensitive));
  }

  private static boolean mayContainSensitive(Descriptor type, java.util.Set<Descriptor> visiting) {
    Boolean known = MAY_CONTAIN.get(type);
    if (known != null) {
      return known;
    }
    if (!visiting.add(type)) {
      return false; // a cycle: decided by the other paths
    }
    boolean result = type.getFullName().equals("google.protobuf.Any"); // could hold anything
    for (FieldDescriptor f : type.getFields()) {
      if (result) {
        break;
      }
      result = isSensitive(f)
          || (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && mayContainSensitive(f.getMessageType(), visiting));
    }
    visiting.remove(type);
    if (result || visiting.isEmpty()) { // a "false" found inside a cycle may be incomplete: not cached
      MAY_CONTAIN.put(type, result);
    }
    return result;
  }
}
