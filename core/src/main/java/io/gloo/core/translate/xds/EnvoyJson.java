package io.gloo.core.translate.xds;

import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Envoy's JSON mapping of xDS protos (what {@code envoy --config-dump} and the xDS docs show), with a type registry
 * that knows every message core packs into an {@code Any}.
 */
public final class EnvoyJson {

  private static final List<Descriptors.Descriptor> TYPES_LIST = List.of(
      HttpConnectionManager.getDescriptor(),
      Router.getDescriptor(),
      HttpProtocolOptions.getDescriptor());

  /** The types core itself packs; others are resolved on demand by {@link #descriptor}. */
  public static final JsonFormat.TypeRegistry TYPES = JsonFormat.TypeRegistry.newBuilder().add(TYPES_LIST).build();

  /** Types resolved on demand (see {@link #descriptor}); the printer and parser are rebuilt when one is added. */
  private static final Map<String, Descriptors.Descriptor> RESOLVED = new ConcurrentHashMap<>();
  private static volatile JsonFormat.TypeRegistry registry = TYPES;

  private EnvoyJson() {}

  /**
   * The descriptor of an Envoy/xDS message type by its full name, e.g.
   * {@code envoy.extensions.filters.http.fault.v3.HTTPFault}: Envoy's protos set {@code java_multiple_files} and a
   * {@code java_package} of {@code io.envoyproxy.<proto package>} (xDS's: {@code com.github.<proto package>}), so
   * every type the shared API jar carries can be found without listing it. Null when no such class exists.
   */
  public static Descriptors.Descriptor descriptor(String fullName) {
    Descriptors.Descriptor known = TYPES.find(fullName);
    if (known != null) {
      return known;
    }
    Descriptors.Descriptor resolved = RESOLVED.get(fullName);
    if (resolved != null) {
      return resolved;
    }
    for (String prefix : new String[] {"io.envoyproxy.", "com.github."}) {
      try {
        Class<?> type = Class.forName(prefix + fullName, true, EnvoyJson.class.getClassLoader());
        if (Message.class.isAssignableFrom(type)) {
          Descriptors.Descriptor d = (Descriptors.Descriptor) type.getMethod("getDescriptor").invoke(null);
          if (d.getFullName().equals(fullName)) {
            RESOLVED.put(fullName, d);
            synchronized (EnvoyJson.class) {
              registry = JsonFormat.TypeRegistry.newBuilder().add(RESOLVED.values()).add(TYPES_LIST).build();
            }
            return d;
          }
        }
      } catch (ReflectiveOperationException | LinkageError e) {
        // not under this prefix
      }
    }
    return null;
  }

  public static String print(Message message) {
    for (int attempt = 0; ; attempt++) {
      try {
        return JsonFormat.printer().usingTypeRegistry(registry).print(message);
      } catch (InvalidProtocolBufferException e) {
        // An Any of a type not registered yet: resolve it and retry (bounded by the number of distinct types).
        String missing = missingType(e);
        if (attempt > 64 || missing == null || descriptor(missing) == null) {
          throw new IllegalStateException("cannot print " + message.getDescriptorForType().getFullName(), e);
        }
      }
    }
  }

  private static String missingType(InvalidProtocolBufferException e) {
    String m = e.getMessage();
    int i = m == null ? -1 : m.lastIndexOf('/');
    return i < 0 ? null : m.substring(i + 1).trim();
  }

  public static <B extends Message.Builder> B parse(String json, B builder) throws InvalidProtocolBufferException {
    for (int attempt = 0; ; attempt++) {
      try {
        JsonFormat.parser().usingTypeRegistry(registry).merge(json, builder);
        return builder;
      } catch (InvalidProtocolBufferException e) {
        String missing = missingType(e);
        if (attempt > 64 || missing == null || descriptor(missing) == null) {
          throw e;
        }
        builder.clear();
      }
    }
  }
}
