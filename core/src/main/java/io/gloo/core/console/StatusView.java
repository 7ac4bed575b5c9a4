package io.gloo.core.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Reads any status this control plane writes — Gateway API conditions (top level, per parent, per listener, per
 * ancestor) and Gloo's namespaced {@code statuses.<ns>.state} or flat {@code state} — and tells what is wrong with
 * it. Stateless.
 */
final class StatusView {

  /** Condition types whose healthy status is True; for the others (Conflicted, PartiallyInvalid...) it is False. */
  private static final Set<String> POSITIVE = Set.of("Accepted", "Programmed", "ResolvedRefs", "Ready",
      "Resolved", "Attached", "Valid", "Scheduled");

  /** One thing wrong: where in the status, what, and why. */
  record Problem(String where, String condition, String reason, String message, Html.Tone tone) {}

  private StatusView() {}

  static List<Problem> problems(JsonNode status) {
    List<Problem> result = new ArrayList<>();
    conditions(status.path("conditions"), "", result);
    for (JsonNode parent : status.path("parents")) {
      conditions(parent.path("conditions"), "parent " + ref(parent.path("parentRef")), result);
    }
    for (JsonNode ancestor : status.path("ancestors")) {
      conditions(ancestor.path("conditions"), "ancestor " + ref(ancestor.path("ancestorRef")), result);
    }
    for (JsonNode listener : status.path("listeners")) {
      conditions(listener.path("conditions"), "listener " + listener.path("name").asString(""), result);
    }
    for (Map.Entry<String, JsonNode> e : status.path("statuses").properties()) {
      gloo(e.getValue(), "reported in " + e.getKey(), result);
    }
    if (status.has("state")) {
      gloo(status, "", result);
    }
    return result;
  }

  private static void gloo(JsonNode entry, String where, List<Problem> result) {
    String state = entry.path("state").asString("");
    if (!state.equalsIgnoreCase("Accepted")) {
      String reason = entry.has("reason") ? entry.path("reason").asString("") : entry.path("message").asString("");
      result.add(new Problem(where, "state " + state, state, reason, Html.Tone.ofState(state)));
    }
  }

  private static void conditions(JsonNode conditions, String where, List<Problem> result) {
    for (JsonNode c : conditions) {
      String type = c.path("type").asString("");
      boolean healthy = POSITIVE.contains(type) ? "True".equals(c.path("status").asString(""))
          : "False".equals(c.path("status").asString(""));
      if (!healthy) {
        result.add(new Problem(where, type + "=" + c.path("status").asString(""), c.path("reason").asString(""),
            c.path("message").asString(""), "Unknown".equals(c.path("status").asString("")) ? Html.Tone.WARN
                : Html.Tone.BAD));
      }
    }
  }

  private static String ref(JsonNode ref) {
    String ns = ref.path("namespace").asString("");
    return ref.path("kind").asString("Gateway") + " " + (ns.isEmpty() ? "" : ns + "/") + ref.path("name").asString("")
        + (ref.has("sectionName") ? " (" + ref.path("sectionName").asString("") + ")" : "");
  }

  /** The status in a word: the first problem's tone, or OK. */
  static Html.Tone tone(JsonNode status) {
    List<Problem> p = problems(status);
    return p.stream().anyMatch(x -> x.tone() == Html.Tone.BAD) ? Html.Tone.BAD
        : p.isEmpty() ? Html.Tone.OK : Html.Tone.WARN;
  }

  static String word(Html.Tone tone) {
    return switch (tone) {
      case OK -> "OK";
      case WARN -> "Warning";
      case BAD -> "Problem";
    };
  }
}
