package io.gloo.core.translate.policy;

import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyKind;

/**
 * A policy kind served by a loaded plugin.
 *
 * @param pluginId the plugin that serves it (for status, metrics and logs)
 * @param classLoader the plugin's classloader: the thread context classloader during every call into the plugin
 */
public record RegisteredKind(String pluginId, PolicyKind<?> kind, ClassLoader classLoader) {

  public GroupKind groupKind() {
    return kind.groupKind();
  }

  public boolean attaches(Attachment attachment) {
    return kind.attachments().contains(attachment);
  }
}
