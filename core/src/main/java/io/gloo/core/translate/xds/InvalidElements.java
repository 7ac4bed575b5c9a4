package io.gloo.core.translate.xds;

import io.gloo.core.validate.Finding;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the xDS stage left out of, or replaced in, one Gateway's configuration because Envoy would reject it: routes
 * (replaced by a 500 or dropped), listeners (dropped) and other elements (virtual hosts, route configurations,
 * clusters, endpoints: dropped). The translator turns them into the statuses of the resources they came from. Not
 * thread-safe: filled by one translation.
 */
public final class InvalidElements {

  private final List<InvalidRoute> routes = new ArrayList<>();
  private final Map<String, List<Finding>> listeners = new LinkedHashMap<>();
  private final List<Finding> others = new ArrayList<>();

  public void route(InvalidRoute route) {
    routes.add(route);
  }

  /** A dropped Envoy listener ({@code http~<port>}) and why. */
  public void listener(String name, Finding finding) {
    listeners.computeIfAbsent(name, k -> new ArrayList<>()).add(finding);
  }

  /** Another dropped element (virtual host, route configuration, cluster, endpoints) and why. */
  public void other(Finding finding) {
    others.add(finding);
  }

  public List<InvalidRoute> routes() {
    return Collections.unmodifiableList(routes);
  }

  /** Envoy listener name → why it was dropped. */
  public Map<String, List<Finding>> listeners() {
    return Collections.unmodifiableMap(listeners);
  }

  public List<Finding> others() {
    return Collections.unmodifiableList(others);
  }

  public boolean isEmpty() {
    return routes.isEmpty() && listeners.isEmpty() && others.isEmpty();
  }
}
