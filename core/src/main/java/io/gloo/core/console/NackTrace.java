package io.gloo.core.console;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.translate.xds.SourceMetadata;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Traces an Envoy NACK message to the resources behind it: every listener, route configuration, virtual host, route
 * and cluster of the rejected snapshot whose name the message quotes, mapped to its source resource through
 * {@code io.gloo.source} metadata (a listener or route configuration without metadata names its Gateway). Stateless.
 */
final class NackTrace {

  private NackTrace() {}

  static Set<String> sources(ResourceKey gateway, XdsResources resources, String message) {
    Set<String> result = new LinkedHashSet<>();
    if (message == null || message.isEmpty()) {
      return result;
    }
    for (Listener l : resources.listeners()) {
      if (mentions(message, l.getName())) {
        result.add(gateway + " (listener " + l.getName() + ")");
      }
    }
    for (RouteConfiguration rc : resources.routes()) {
      if (mentions(message, rc.getName())) {
        result.add(gateway + " (route configuration " + rc.getName() + ")");
      }
      for (VirtualHost vh : rc.getVirtualHostsList()) {
        if (mentions(message, vh.getName())) {
          keys(vh.getMetadata(), result);
        }
        for (Route r : vh.getRoutesList()) {
          if (mentions(message, r.getName())) {
            String source = RouteView.describe(RouteView.source(r));
            if (!source.isEmpty()) {
              result.add(source);
            } else {
              keys(r.getMetadata(), result);
            }
          }
        }
      }
    }
    for (Cluster c : resources.clusters()) {
      if (mentions(message, c.getName())) {
        int before = result.size();
        keys(c.getMetadata(), result);
        if (result.size() == before) {
          result.add("cluster " + c.getName());
        }
      }
    }
    return result;
  }

  /** Quoted as a whole name, not as part of a longer one (e.g. {@code web} inside {@code web-2}). */
  private static boolean mentions(String message, String name) {
    if (name.isEmpty()) {
      return false;
    }
    int from = 0;
    while (true) {
      int i = message.indexOf(name, from);
      if (i < 0) {
        return false;
      }
      int end = i + name.length();
      if ((i == 0 || !nameChar(message.charAt(i - 1))) && (end == message.length() || !nameChar(message.charAt(end)))) {
        return true;
      }
      from = i + 1;
    }
  }

  private static boolean nameChar(char c) {
    // not ':' — Envoy writes "cluster(s) NAME: reason"
    return Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.' || c == '/' || c == '~';
  }

  private static void keys(Metadata metadata, Set<String> into) {
    Struct s = metadata.getFilterMetadataMap().get(SourceMetadata.FILTER_KEY);
    if (s == null) {
      return;
    }
    if (s.containsFields("resources")) {
      for (Value v : s.getFieldsMap().get("resources").getListValue().getValuesList()) {
        into.add(key(v.getStructValue()));
      }
    } else if (s.containsFields("kind")) {
      into.add(key(s));
    }
  }

  private static String key(Struct s) {
    Value ns = s.getFieldsMap().get("namespace");
    return s.getFieldsMap().get("kind").getStringValue() + " " + (ns == null ? "" : ns.getStringValue() + "/")
        + s.getFieldsMap().get("name").getStringValue();
  }
}
