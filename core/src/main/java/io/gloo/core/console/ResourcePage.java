package io.gloo.core.console;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.gloo.core.evaluate.QueryString;
import io.gloo.core.server.GlooServer;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.TranslationJson;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * One resource ({@code ?key=Kind/namespace/name}): what is wrong with it, its status, and its spec with secret
 * values redacted. A Secret's data is never shown, only that it exists.
 */
final class ResourcePage {

  private final GlooServer server;

  ResourcePage(GlooServer server) {
    this.server = server;
  }

  Html render(QueryString query) {
    Html h = new Html();
    String key = query.first("key", "");
    h.element("h2", key);
    JsonNode status = TranslationJson.statuses(server.reporter().statuses()).path(key);
    Optional<HasMetadata> resource = find(server, key);
    if (status.isMissingNode() && resource.isEmpty()) {
      h.element("p", "No resource " + key + " is known.");
      return h;
    }
    if (!status.isMissingNode()) {
      var problems = StatusView.problems(status);
      if (problems.isEmpty()) {
        h.open("p").badge("OK", Html.Tone.OK).text(" Nothing is wrong with it.").close("p");
      } else {
        h.open("ul");
        for (StatusView.Problem p : problems) {
          h.open("li", "class", "problem").badge(p.condition(), p.tone())
              .text(" " + (p.where().isEmpty() ? "" : p.where() + ": ") + p.reason() + " — " + p.message())
              .close("li");
        }
        h.close("ul");
      }
      h.heading(3, "Status", null).element("pre", SecretValues.redact(status).toPrettyString());
    }
    if (resource.isPresent()) {
      if ("Secret".equals(resource.get().getKind())) {
        h.element("p", "A Secret: its data is not shown.");
      } else {
        JsonNode spec = spec(resource.get());
        h.heading(3, "Spec (secret values redacted)", null).element("pre", SecretValues.redact(spec)
            .toPrettyString());
      }
    }
    return h;
  }

  /** The input resource named by {@code key} ({@code Kind/namespace/name} or {@code Kind/name}). */
  static Optional<HasMetadata> find(GlooServer server, String key) {
    String[] parts = key.split("/", 3);
    if (parts.length < 2) {
      return Optional.empty();
    }
    ResourceKey rk = parts.length == 3 ? new ResourceKey(parts[0], parts[1], parts[2])
        : new ResourceKey(parts[0], null, parts[1]);
    return server.source().current().get(rk);
  }

  /** The resource's spec as JSON (not yet redacted). */
  static JsonNode spec(HasMetadata resource) {
    return TranslationJson.mapper().readTree(Serialization.asJson(resource)).path("spec");
  }
}
