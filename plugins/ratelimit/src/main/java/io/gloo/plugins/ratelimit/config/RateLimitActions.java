package io.gloo.plugins.ratelimit.config;

import io.gloo.plugins.common.GlooObject;
import io.gloo.plugins.common.Paths;
import io.gloo.spi.policy.Violation;
import java.util.List;

/**
 * One client-side rate limit: {@code {actions[], setActions[]}}. Envoy builds one descriptor from {@code actions}
 * (tree-style rules) and one from {@code setActions} (set-style rules); a descriptor any of whose actions cannot
 * produce its entry is not sent.
 */
public class RateLimitActions extends GlooObject {

  public List<Action> actions;
  public List<Action> setActions;

  @Override
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out);
    boolean noActions = actions == null || actions.isEmpty();
    boolean noSetActions = setActions == null || setActions.isEmpty();
    if (noActions && noSetActions) {
      out.add(new Violation(path, "needs at least one of actions or setActions"));
    }
    validateAll(actions, Paths.join(path, "actions"), out);
    validateAll(setActions, Paths.join(path, "setActions"), out);
  }
}
