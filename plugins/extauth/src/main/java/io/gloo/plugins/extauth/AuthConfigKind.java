package io.gloo.plugins.extauth;

import io.gloo.plugins.common.GlooKind;
import io.gloo.plugins.extauth.compile.AuthConfigCompiler;
import io.gloo.plugins.extauth.compile.AuthConfigSet;
import io.gloo.plugins.extauth.compile.CompiledAuthConfig;
import io.gloo.plugins.extauth.model.AuthConfigSpec;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicySink;
import io.gloo.spi.policy.StatusStyle;
import io.gloo.spi.translate.PolicyTranslator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code enterprise.gloo.solo.io/v1} AuthConfig: only referenced (from {@code options.extauth.configRef}); it
 * translates to nothing itself. Its sink compiles every valid AuthConfig (resolving Secrets) into the set the
 * ext-auth service serves; a Secret rotation reaches the service on the next publish, without a restart.
 */
public final class AuthConfigKind extends GlooKind<AuthConfigSpec> {

  public static final GroupKind GROUP_KIND = new GroupKind("enterprise.gloo.solo.io", "AuthConfig");

  private final AuthConfigCompiler compiler;
  private final Consumer<AuthConfigSet> onPublish;

  /** @param onPublish receives every compiled set (called from core's publish thread, never concurrently) */
  public AuthConfigKind(AuthConfigCompiler compiler, Consumer<AuthConfigSet> onPublish) {
    super(GROUP_KIND, "v1", AuthConfigSpec.class, Attachment.REFERENCED);
    this.compiler = compiler;
    this.onPublish = onPublish;
  }

  /** Authentication: a rejected AuthConfig, or one left behind by an unloaded ext-auth plugin, never opens a route. */
  @Override
  public boolean failClosed() {
    return true;
  }

  @Override
  public StatusStyle statusStyle() {
    return StatusStyle.GLOO_NAMESPACED;
  }

  @Override
  public PolicyTranslator<AuthConfigSpec> translator() {
    return new PolicyTranslator<>() {};
  }

  @Override
  public PolicySink<AuthConfigSpec> sink() {
    return this::publish;
  }

  private void publish(List<PolicySink.Published<AuthConfigSpec>> policies) {
    Map<String, CompiledAuthConfig> configs = new LinkedHashMap<>();
    for (PolicySink.Published<AuthConfigSpec> p : policies) {
      Optional<CompiledAuthConfig> compiled;
      try {
        compiled = compiler.compile(p.ref(), p.generation(), p.spec(), p.lookup(), p.diagnostics());
      } catch (RuntimeException e) {
        // a bug must not take the other configs down; the message names no secret (the compiler never puts one in)
        p.diagnostics().error("configs", "cannot be compiled: " + e.getClass().getSimpleName());
        compiled = Optional.empty();
      }
      compiled.ifPresent(c -> configs.put(c.id(), c));
    }
    onPublish.accept(new AuthConfigSet(configs));
  }
}
