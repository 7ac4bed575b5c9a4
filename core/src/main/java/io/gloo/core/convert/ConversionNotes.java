package io.gloo.core.convert;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a conversion could not express exactly, per converted resource: printed as {@code # gloo convert: ...}
 * comments above that resource and counted in the summary. Not thread-safe (one per conversion).
 */
public final class ConversionNotes {

  private final Map<String, List<String>> byResource = new LinkedHashMap<>();

  /** Records a note on the output resource {@code resource} ({@code Kind ns/name}); the message names the source. */
  void add(String resource, String message) {
    List<String> notes = byResource.computeIfAbsent(resource, k -> new ArrayList<>());
    if (!notes.contains(message)) {
      notes.add(message);
    }
  }

  /** The notes of one output resource, in the order they were found. */
  public List<String> of(String resource) {
    return byResource.getOrDefault(resource, List.of());
  }

  /** Every note, each prefixed with the output resource it is printed at. */
  public List<String> all() {
    List<String> out = new ArrayList<>();
    byResource.forEach((resource, notes) -> notes.forEach(n -> out.add(resource + ": " + n)));
    return out;
  }

  public int count() {
    return byResource.values().stream().mapToInt(List::size).sum();
  }
}
