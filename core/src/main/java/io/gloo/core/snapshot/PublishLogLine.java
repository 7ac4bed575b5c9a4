package io.gloo.core.snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one short INFO line a publish logs: the Gateway, its node group, a version of the whole snapshot (8 hex
 * digits derived from every type's version, so one number can be compared across lines and with the admin dumps) and
 * which resource types changed since the last publish; the per-type hashes are logged at DEBUG only. Stateless.
 */
final class PublishLogLine {

  private PublishLogLine() {}

  /** e.g. {@code published default/http (group default~http) version 1a2b3c4d: changed Cluster, Listener}. */
  static String of(Object gateway, String group, Map<String, String> versions, Map<String, String> previous,
      boolean removed) {
    List<String> changed = new ArrayList<>();
    for (Map.Entry<String, String> e : new TreeMap<>(versions).entrySet()) {
      if (previous == null || !e.getValue().equals(previous.get(e.getKey()))) {
        changed.add(shortType(e.getKey()));
      }
    }
    return (removed ? "emptied " : "published ") + gateway + " (group " + group + ") version "
        + snapshotVersion(versions) + (changed.isEmpty() ? ": no type changed" : ": changed "
        + String.join(", ", changed));
  }

  /** 8 hex digits over the sorted type versions. */
  static String snapshotVersion(Map<String, String> versions) {
    return String.format("%08x", new TreeMap<>(versions).toString().hashCode());
  }

  /** {@code type.googleapis.com/envoy.config.cluster.v3.Cluster} to {@code Cluster}. */
  static String shortType(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('.') + 1);
  }
}
