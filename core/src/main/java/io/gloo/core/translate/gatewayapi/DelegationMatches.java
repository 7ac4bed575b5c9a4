package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPQueryParamMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.gloo.core.store.ResourceKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Which matches of a delegated (child) HTTPRoute a parent rule's match lets through, as Gloo's delegation does:
 * <ul>
 *   <li>by default a child match must lie within the parent's: the parent matches a path prefix, the child's path
 *       (any type) starts with it, the child has each of the parent's header and query-parameter matches, and the
 *       parent's method if it has one; a child with parentRefs must name the parent HTTPRoute among them;</li>
 *   <li>with the annotation {@value #INHERIT_MATCHER} ({@code true}, {@code yes}, {@code enabled}) on the child, its
 *       matches are joined to the parent's instead: paths joined, the parent's headers, query parameters and method
 *       added (the parent's win on a name both have), and a rule without matches takes the parent's match.</li>
 * </ul>
 * A missing path is {@code PathPrefix /} and a rule without matches has one such match (the API server's defaults,
 * which directory mode does not apply). Stateless.
 */
final class DelegationMatches {

  static final String INHERIT_MATCHER = "delegation.gateway.solo.io/inherit-parent-matcher";

  private DelegationMatches() {}

  /**
   * The child's rules with only the matches the parent match lets through, index for index; null where no match of
   * a rule is let through (the rule is not served under this parent).
   */
  static List<HTTPRouteRule> within(HTTPRouteMatch parent, ResourceKey parentKey, HTTPRoute child) {
    List<HTTPRouteRule> rules = child.getSpec() == null || child.getSpec().getRules() == null
        ? List.of() : child.getSpec().getRules();
    boolean inherit = inheritsMatcher(child);
    List<HTTPRouteRule> result = new ArrayList<>(rules.size());
    for (HTTPRouteRule rule : rules) {
      List<HTTPRouteMatch> matches = rule.getMatches() == null || rule.getMatches().isEmpty()
          ? List.of(inherit ? parent : new HTTPRouteMatch()) : rule.getMatches();
      List<HTTPRouteMatch> valid = new ArrayList<>();
      for (HTTPRouteMatch m : matches) {
        if (inherit) {
          valid.add(m == parent ? parent : joined(parent, m));
        } else if (namesParent(child, parentKey) && isWithin(parent, m)) {
          valid.add(m);
        }
      }
      result.add(valid.isEmpty() ? null : copyWithMatches(rule, valid));
    }
    return result;
  }

  static boolean inheritsMatcher(HTTPRoute route) {
    Map<String, String> annotations = route.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(INHERIT_MATCHER);
    return value != null && List.of("true", "yes", "enabled").contains(value.toLowerCase(Locale.ROOT));
  }

  /** A child without parentRefs may be delegated to by any parent; with some, one must name this parent route. */
  static boolean namesParent(HTTPRoute child, ResourceKey parentKey) {
    List<ParentReference> refs = child.getSpec() == null ? null : child.getSpec().getParentRefs();
    if (refs == null || refs.isEmpty()) {
      return true;
    }
    for (ParentReference ref : refs) {
      String ns = ref.getNamespace() == null ? child.getMetadata().getNamespace() : ref.getNamespace();
      if (Delegation.isRouteParent(ref) && parentKey.name().equals(ref.getName()) && parentKey.namespace().equals(ns)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the child match lies within the parent's (Gloo: string prefix of the path, superset of the rest). */
  static boolean isWithin(HTTPRouteMatch parent, HTTPRouteMatch child) {
    if (!"PathPrefix".equals(pathType(parent.getPath()))) {
      return false;
    }
    if (!pathValue(child.getPath()).startsWith(pathValue(parent.getPath()))) {
      return false;
    }
    if (!containsAll(child.getHeaders(), parent.getHeaders(), DelegationMatches::headerKey)
        || !containsAll(child.getQueryParams(), parent.getQueryParams(), DelegationMatches::queryKey)) {
      return false;
    }
    return parent.getMethod() == null || parent.getMethod().equals(child.getMethod());
  }

  /** The child match joined to the parent's (the inherit-parent-matcher annotation). */
  static HTTPRouteMatch joined(HTTPRouteMatch parent, HTTPRouteMatch child) {
    HTTPRouteMatch m = new HTTPRouteMatch();
    String childValue = child.getPath() == null || child.getPath().getValue() == null ? "" : child.getPath().getValue();
    m.setPath(new HTTPPathMatch(pathType(child.getPath()), cleanPath(pathValue(parent.getPath()) + "/" + childValue)));
    m.setHeaders(merged(parent.getHeaders(), child.getHeaders(), HTTPHeaderMatch::getName));
    m.setQueryParams(merged(parent.getQueryParams(), child.getQueryParams(), HTTPQueryParamMatch::getName));
    m.setMethod(parent.getMethod() != null ? parent.getMethod() : child.getMethod());
    return m;
  }

  /** Go's {@code path.Clean} for absolute paths: no empty, {@code .} or {@code ..} segments, no trailing slash. */
  static String cleanPath(String path) {
    Deque<String> segments = new ArrayDeque<>();
    for (String s : path.split("/")) {
      if (s.isEmpty() || s.equals(".")) {
        continue;
      }
      if (s.equals("..")) {
        segments.pollLast();
      } else {
        segments.addLast(s);
      }
    }
    return "/" + String.join("/", segments);
  }

  private static String pathType(HTTPPathMatch path) {
    return path == null || path.getType() == null ? "PathPrefix" : path.getType();
  }

  private static String pathValue(HTTPPathMatch path) {
    return path == null || path.getValue() == null ? "/" : path.getValue();
  }

  private static String headerKey(HTTPHeaderMatch h) {
    return (h.getType() == null ? "Exact" : h.getType()) + "\n" + h.getName() + "\n" + h.getValue();
  }

  private static String queryKey(HTTPQueryParamMatch q) {
    return (q.getType() == null ? "Exact" : q.getType()) + "\n" + q.getName() + "\n" + q.getValue();
  }

  private static <T> boolean containsAll(List<T> child, List<T> parent, Function<T, String> key) {
    if (parent == null || parent.isEmpty()) {
      return true;
    }
    List<String> have = child == null ? List.of() : child.stream().map(key).toList();
    return parent.stream().map(key).allMatch(have::contains);
  }

  /** The parent's entries and the child's whose names the parent does not use, sorted by name (as Gloo does). */
  private static <T> List<T> merged(List<T> parent, List<T> child, Function<T, String> name) {
    Map<String, T> byName = new LinkedHashMap<>();
    for (T t : parent == null ? List.<T>of() : parent) {
      byName.put(name.apply(t), t);
    }
    for (T t : child == null ? List.<T>of() : child) {
      byName.putIfAbsent(name.apply(t), t);
    }
    List<T> result = new ArrayList<>(byName.values());
    result.sort(Comparator.comparing(t -> Objects.toString(name.apply(t), "")));
    return result.isEmpty() ? null : result;
  }

  private static HTTPRouteRule copyWithMatches(HTTPRouteRule rule, List<HTTPRouteMatch> matches) {
    if (matches.equals(rule.getMatches())) {
      return rule;
    }
    HTTPRouteRule copy = new HTTPRouteRule(rule.getBackendRefs(), rule.getFilters(), matches, rule.getName(),
        rule.getRetry(), rule.getSessionPersistence(), rule.getTimeouts());
    return copy;
  }
}
