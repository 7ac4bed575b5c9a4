package io.gloo.plugin.upstream;

import io.gloo.plugins.common.GlooKind;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.Violation;
import io.gloo.spi.translate.PolicyTranslator;
import java.util.List;
import java.util.Set;

/**
 * {@code gloo.solo.io/v1} Upstream: a backend named from HTTPRoute backendRefs
 * ({@code {group: gloo.solo.io, kind: Upstream, name}}) and referenced from RouteOption {@code shadowing}. Never
 * merged: one Upstream is one cluster.
 */
public final class UpstreamKind extends GlooKind<UpstreamSpec> {

  public static final GroupKind GROUP_KIND = new GroupKind("gloo.solo.io", "Upstream");

  /**
   * Gloo Upstream fields this plugin knows but does not implement. Core reports their use as UnsupportedValue (for
   * every Upstream, referenced or not); the translator reports any other field it does not know.
   */
  static final Set<String> UNSUPPORTED = Set.of(
      "failover", "initialStreamWindowSize", "initialConnectionWindowSize", "maxConcurrentStreams",
      "overrideStreamErrorOnInvalidHttpMessage", "httpProxyHostname", "httpConnectHeaders", "httpConnectSslConfig",
      "proxyProtocolVersion", "http2ProtocolOptions", "preconnectPolicy", "connectionConfig.http1ProtocolOptions",
      "kube.subsetSpec", "kube.serviceSpec", "static.serviceSpec", "loadBalancerConfig.localityWeightedLbConfig");

  private final UpstreamTranslator translator = new UpstreamTranslator(UNSUPPORTED);

  public UpstreamKind() {
    super(GROUP_KIND, "v1", UpstreamSpec.class, Attachment.BACKEND_REF, Attachment.REFERENCED);
  }

  @Override
  public List<Violation> validate(UpstreamSpec spec) {
    return UpstreamValidator.validate(spec);
  }

  @Override
  public Set<String> unsupportedFields() {
    return UNSUPPORTED;
  }

  @Override
  public PolicyTranslator<UpstreamSpec> translator() {
    return translator;
  }
}
