package io.gloo.core.plugin;

import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.FieldExtension;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyKind;
import java.util.List;
import java.util.TreeSet;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a plugin manager holds, as the JSON document of the admin API's {@code /plugins} and of
 * {@code gloo plugins -o json}: for every archive its id, version, state (started, disabled, failed) and why, SPI
 * range ({@code Plugin-Requires}), policy kinds with their attachments, fields of other kinds it claims, admin
 * views, and a replacement that failed to load while this version keeps serving; then every load problem, one
 * line each. Reads plugin objects through {@link PluginCalls}. Stateless.
 */
public final class PluginListing {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private PluginListing() {}

  public static ObjectNode json(PluginManager manager) {
    ObjectNode root = JSON.createObjectNode();
    root.put("dir", manager.dir().toString());
    root.put("mode", manager.mode().name().toLowerCase(java.util.Locale.ROOT));
    List<PluginProblem> problems = manager.problems();
    ArrayNode plugins = root.putArray("plugins");
    for (LoadedPlugin plugin : manager.plugins().plugins()) {
      ObjectNode node = plugins.addObject();
      node.put("id", plugin.id());
      node.put("version", plugin.version());
      node.put("state", plugin.state().label());
      if (plugin.failure() != null) {
        node.put("reason", plugin.failure());
      }
      node.put("requires", plugin.requires());
      node.put("archive", plugin.archive() == null ? "" : plugin.archive().getFileName().toString());
      ArrayNode kinds = node.putArray("kinds");
      plugin.kinds().forEach(kind -> kinds.add(kind(kind)));
      ArrayNode fields = node.putArray("fields");
      plugin.fieldExtensions().forEach(extension -> fields.add(fields(extension)));
      ArrayNode views = node.putArray("views");
      manager.adminViews().names().stream().filter(n -> n.startsWith(plugin.id() + "/"))
          .forEach(n -> views.add("/plugins/" + n));
      problems.stream().filter(p -> p.serving() != null && p.plugin().equals(plugin.id())
          && p.archive().equals(plugin.archive())).findFirst().ifPresent(p -> node.putObject("replacementFailed")
              .put("version", p.version()).put("reason", p.reason()));
    }
    ArrayNode lines = root.putArray("problems");
    problems.forEach(p -> lines.add(p.describe()));
    return root;
  }

  private static ObjectNode kind(PolicyKind<?> kind) {
    GroupKind groupKind = PluginCalls.callOn(kind, kind::groupKind);
    String version = PluginCalls.callOn(kind, kind::version);
    ObjectNode node = JSON.createObjectNode();
    node.put("apiVersion", groupKind.group().isEmpty() ? version : groupKind.group() + "/" + version);
    node.put("kind", groupKind.kind());
    ArrayNode attachments = node.putArray("attachments");
    PluginCalls.callOn(kind, kind::attachments).stream().sorted().map(Attachment::name).forEach(attachments::add);
    return node;
  }

  private static ObjectNode fields(FieldExtension<?> extension) {
    GroupKind target = PluginCalls.callOn(extension, extension::target);
    ObjectNode node = JSON.createObjectNode();
    node.put("kind", target.group().isEmpty() ? target.kind() : target.kind() + "." + target.group());
    ArrayNode paths = node.putArray("fields");
    new TreeSet<>(PluginCalls.callOn(extension, extension::fields)).forEach(paths::add);
    return node;
  }
}
