package io.gloo.core.xds;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.server.serializer.ProtoResourcesSerializer;
import io.gloo.core.store.WeakIdentityCache;

/**
 * Serializes each resource instance once, however many streams it is sent on: java-control-plane's default
 * serializer packs (serializes) every resource again for every response on every stream (java-control-plane #98), so
 * a new version of a Gateway's routes sent to its 100 proxies was serialized 100 times.
 *
 * <p>The packed {@link Any} is kept per resource <em>instance</em> (weak keys, compared by identity) for as long as
 * the instance is reachable, i.e. while a snapshot in the cache serves it (the translator reuses the instances of
 * unchanged resources, so an unchanged resource is not serialized again for a new version either). Unlike
 * java-control-plane's {@code CachedProtoResourcesSerializer} (weak values, compared with {@code equals}), a young
 * collection does not drop the serialized form while its resource is still served, and no deep comparison is made.
 *
 * <p>Thread-safe; a resource packed by two streams at once may be packed twice, never wrongly.
 */
@ThreadSafe
final class SharedAnySerializer implements ProtoResourcesSerializer {

  private final WeakIdentityCache<Message, Any> packed = new WeakIdentityCache<>();

  @Override
  public Any serialize(Message resource, Resources.ApiVersion apiVersion) {
    Any any = packed.get(resource);
    if (any == null) {
      any = Any.pack(resource);
      packed.put(resource, any);
    }
    return any;
  }

  /** How many resources have a serialized form kept (approximate; for tests and benchmarks). */
  long size() {
    return packed.size();
  }
}
