package io.gloo.core.translate.xds;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.gloo.core.ir.RouteSource;
import io.gloo.core.store.ResourceKey;
import java.util.List;

/**
 * The source resource of an Envoy route, virtual host or cluster, in {@code metadata.filter_metadata} under
 * {@value #FILTER_KEY}, so that a NACK, an access log or a route-check names the Kubernetes resource it came from.
 */
public final class SourceMetadata {

  /** The filter_metadata key that holds source attribution. */
  public static final String FILTER_KEY = "io.gloo.source";

  private SourceMetadata() {}

  public static Metadata of(ResourceKey key) {
    return wrap(resource(key).build());
  }

  public static Metadata of(RouteSource source) {
    Struct.Builder s = resource(source.route())
        .putFields("rule", number(source.rule()))
        .putFields("match", number(source.match()));
    if (source.ruleName() != null) {
      s.putFields("ruleName", string(source.ruleName()));
    }
    return wrap(s.build());
  }

  /** A virtual host serves routes from several resources: all of them are listed. */
  public static Metadata of(List<ResourceKey> keys) {
    ListValue.Builder list = ListValue.newBuilder();
    for (ResourceKey k : keys) {
      list.addValues(Value.newBuilder().setStructValue(resource(k)));
    }
    return wrap(Struct.newBuilder().putFields("resources", Value.newBuilder().setListValue(list).build()).build());
  }

  /** The rule and match a route's metadata names ({@link #of(RouteSource)} read back), or null if none. */
  public static RouteSource routeSource(Metadata metadata) {
    Struct s = metadata.getFilterMetadataMap().get(FILTER_KEY);
    if (s == null || !s.containsFields("kind") || !s.containsFields("name") || !s.containsFields("rule")
        || !s.containsFields("match")) {
      return null;
    }
    Value namespace = s.getFieldsMap().get("namespace");
    Value ruleName = s.getFieldsMap().get("ruleName");
    ResourceKey key = new ResourceKey(s.getFieldsMap().get("kind").getStringValue(),
        namespace == null ? null : namespace.getStringValue(), s.getFieldsMap().get("name").getStringValue());
    return new RouteSource(key, (int) s.getFieldsMap().get("rule").getNumberValue(),
        ruleName == null ? null : ruleName.getStringValue(), (int) s.getFieldsMap().get("match").getNumberValue());
  }

  private static Struct.Builder resource(ResourceKey key) {
    Struct.Builder s = Struct.newBuilder().putFields("kind", string(key.kind())).putFields("name", string(key.name()));
    if (key.namespace() != null) {
      s.putFields("namespace", string(key.namespace()));
    }
    return s;
  }

  private static Metadata wrap(Struct struct) {
    return Metadata.newBuilder().putFilterMetadata(FILTER_KEY, struct).build();
  }

  private static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  private static Value number(int n) {
    return Value.newBuilder().setNumberValue(n).build();
  }
}
