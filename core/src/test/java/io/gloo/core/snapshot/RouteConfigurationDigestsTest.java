package io.gloo.core.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.google.protobuf.Struct;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A virtual host's digest, streamed from the cached bytes of its routes and metadata, is the SHA-256 of its
 * deterministic serialization, whatever fields it has; also when its routes and metadata were cached for other
 * virtual hosts first.
 */
class RouteConfigurationDigestsTest {

  private static Route route(String prefix) {
    return Route.newBuilder().setName("r" + prefix)
        .setMatch(RouteMatch.newBuilder().setPrefix(prefix))
        .setRoute(RouteAction.newBuilder().setCluster("c"))
        .setMetadata(metadata(prefix))
        .build();
  }

  private static Metadata metadata(String value) {
    return Metadata.newBuilder().putFilterMetadata("io.gloo.source", Struct.newBuilder()
        .putFields("z", Value.newBuilder().setStringValue(value).build())
        .putFields("a", Value.newBuilder().setNumberValue(1).build()).build()).build();
  }

  private static byte[] sha256(VirtualHost vhost) {
    return RouteConfigurationDigests.sha256().digest(RouteConfigurationDigests.serialize(vhost));
  }

  @Test
  void digestsAreTheHashOfTheSerialization() {
    Route a = route("/a");
    Route b = route("/b");
    Metadata shared = metadata("both");
    VirtualHost plain = VirtualHost.newBuilder().setName("v").addDomains("x").addDomains("y")
        .addAllRoutes(List.of(a, b)).setMetadata(shared).build();
    VirtualHost noRoutes = VirtualHost.newBuilder().setName("empty").addDomains("*").setMetadata(shared).build();
    VirtualHost noMetadata = VirtualHost.newBuilder().setName("v").addDomains("x").addRoutes(b).build();
    VirtualHost moreFields = plain.toBuilder()
        .addResponseHeadersToAdd(HeaderValueOption.newBuilder().setHeader(HeaderValue.newBuilder().setKey("k")))
        .setIncludeRequestAttemptCount(true)
        .setIncludeAttemptCountInResponse(true)
        .build();
    VirtualHost unknown = plain.toBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
        .addField(9999, UnknownFieldSet.Field.newBuilder().addVarint(7).build()).build()).build();
    VirtualHost reordered = plain.toBuilder().clearRoutes().addAllRoutes(List.of(b, a, a)).build();
    VirtualHost tls = plain.toBuilder().setRequireTls(VirtualHost.TlsRequirementType.ALL).build();

    RouteConfigurationDigests digests = new RouteConfigurationDigests();
    for (VirtualHost vhost : List.of(plain, noRoutes, noMetadata, moreFields, unknown, reordered, tls)) {
      assertArrayEquals(sha256(vhost), digests.digest(vhost), vhost.getName());
      assertArrayEquals(sha256(vhost), new RouteConfigurationDigests().digest(vhost), vhost.getName());
    }
    digests.finish();
    assertArrayEquals(sha256(plain), digests.digest(plain));
    assertArrayEquals(sha256(noRoutes), digests.digest(noRoutes));
  }
}
