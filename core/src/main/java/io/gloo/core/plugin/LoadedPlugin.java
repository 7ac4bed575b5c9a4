package io.gloo.core.plugin;

import io.gloo.spi.policy.FieldExtension;
import io.gloo.spi.policy.PolicyKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One plugin archive as the manager sees it. Immutable.
 *
 * @param id the archive's {@code Plugin-Id} (the file name when the manifest has none)
 * @param version {@code Plugin-Version}, or "" when unknown
 * @param state started, disabled or failed
 * @param requires {@code Plugin-Requires}: the SPI version range the plugin needs ("" = any)
 * @param kinds the policy kinds it serves (empty unless started)
 * @param fieldExtensions the fields of other kinds it translates (empty unless started)
 * @param failure why it failed or is disabled; null when started
 * @param archive the archive file in the plugins directory
 * @param classLoader the plugin's classloader while it is started, else null (use it through {@link PluginCalls})
 */
public record LoadedPlugin(String id, String version, PluginState state, String requires,
    List<PolicyKind<?>> kinds, List<FieldExtension<?>> fieldExtensions, String failure, Path archive,
    ClassLoader classLoader) {

  public LoadedPlugin {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    version = version == null ? "" : version;
    requires = requires == null ? "" : requires;
    kinds = List.copyOf(kinds);
    fieldExtensions = List.copyOf(fieldExtensions);
  }

  public boolean started() {
    return state == PluginState.STARTED;
  }

  /** {@code started}, {@code disabled: REASON} or {@code failed: REASON}. */
  public String describeState() {
    return failure == null ? state.label() : state.label() + ": " + failure;
  }

  @Override
  public String toString() {
    return id + " " + version + " (" + describeState() + ")";
  }
}
