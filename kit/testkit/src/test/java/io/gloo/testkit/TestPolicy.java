package io.gloo.testkit;

import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.gloo.spi.GlooPlugin;
import io.gloo.spi.PluginContext;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyKind;
import io.gloo.spi.policy.Violation;
import io.gloo.spi.translate.PolicyTranslator;
import io.gloo.spi.translate.RouteContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A small plugin for the kit's own tests: {@code test.example.com/HeaderPolicy} adds {@code headers[i]} as request
 * headers (whatever their names: an empty name reaches Envoy's checks), and reads Secret {@code default/creds}
 * when {@code secret} is set.
 */
final class TestPolicy implements GlooPlugin {

  static final GroupKind GROUP_KIND = new GroupKind("test.example.com", "HeaderPolicy");

  record Header(String name, String value) {}

  record Spec(List<Header> headers, Boolean secret) {}

  PluginContext started;

  @Override
  public void start(PluginContext context) {
    started = context;
    context.metrics().increment("starts", "plugin", context.pluginId());
  }

  @Override
  public List<PolicyKind<?>> policyKinds() {
    return List.of(new Kind());
  }

  static final class Kind implements PolicyKind<Spec> {
    @Override
    public GroupKind groupKind() {
      return GROUP_KIND;
    }

    @Override
    public String version() {
      return "v1";
    }

    @Override
    public Class<Spec> specType() {
      return Spec.class;
    }

    @Override
    public Set<Attachment> attachments() {
      return Set.of(Attachment.EXTENSION_REF);
    }

    @Override
    public List<Violation> validate(Spec spec) {
      List<Violation> out = new ArrayList<>();
      if (spec.headers() == null || spec.headers().isEmpty()) {
        out.add(new Violation("headers", "at least one"));
      }
      return out;
    }

    @Override
    public PolicyTranslator<Spec> translator() {
      return new PolicyTranslator<>() {
        @Override
        public void route(RouteContext context, Spec policy, Route.Builder route) {
          if (Boolean.TRUE.equals(policy.secret()) && context.lookup().secret("default", "creds").isEmpty()) {
            context.diagnostics().error("secret", "Secret default/creds not found");
          }
          for (Header h : policy.headers()) {
            route.addRequestHeadersToAdd(HeaderValueOption.newBuilder()
                .setHeader(HeaderValue.newBuilder().setKey(h.name()).setValue(h.value())));
          }
        }
      };
    }
  }
}
