package io.gloo.core.translate.gatewayapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPQueryParamMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gloo's rules for which child matches lie within a parent's, and how inherited matches are joined. */
class DelegationMatchesTest {

  private static HTTPRouteMatch match(String type, String path, String method, List<HTTPHeaderMatch> headers,
      List<HTTPQueryParamMatch> query) {
    HTTPRouteMatch m = new HTTPRouteMatch();
    m.setPath(path == null ? null : new HTTPPathMatch(type, path));
    m.setMethod(method);
    m.setHeaders(headers);
    m.setQueryParams(query);
    return m;
  }

  private static HTTPHeaderMatch header(String name, String value) {
    return new HTTPHeaderMatch(name, null, value);
  }

  @Test
  void childPathMustStartWithTheParentPrefix() {
    HTTPRouteMatch parent = match("PathPrefix", "/a", null, null, null);
    assertTrue(DelegationMatches.isWithin(parent, match("PathPrefix", "/a/1", null, null, null)));
    assertTrue(DelegationMatches.isWithin(parent, match("Exact", "/a/exact", null, null, null)));
    assertTrue(DelegationMatches.isWithin(parent, match("RegularExpression", "/a/.*", null, null, null)));
    assertFalse(DelegationMatches.isWithin(parent, match("PathPrefix", "/b", null, null, null)));
    // a missing path is PathPrefix / (the API server's default): not under /a
    assertFalse(DelegationMatches.isWithin(parent, match(null, null, null, null, null)));
    // only a prefix parent delegates
    assertFalse(DelegationMatches.isWithin(match("Exact", "/a", null, null, null),
        match("Exact", "/a", null, null, null)));
  }

  @Test
  void childMustCarryTheParentsHeadersQueryAndMethod() {
    HTTPRouteMatch parent = match("PathPrefix", "/a", "GET", List.of(header("x", "1")),
        List.of(new HTTPQueryParamMatch("q", null, "v")));
    assertTrue(DelegationMatches.isWithin(parent, match("PathPrefix", "/a/1", "GET",
        List.of(header("y", "2"), header("x", "1")), List.of(new HTTPQueryParamMatch("q", "Exact", "v")))));
    assertFalse(DelegationMatches.isWithin(parent, match("PathPrefix", "/a/1", "GET", List.of(header("x", "2")),
        List.of(new HTTPQueryParamMatch("q", null, "v")))));
    assertFalse(DelegationMatches.isWithin(parent, match("PathPrefix", "/a/1", "POST", List.of(header("x", "1")),
        List.of(new HTTPQueryParamMatch("q", null, "v")))));
    assertFalse(DelegationMatches.isWithin(parent, match("PathPrefix", "/a/1", "GET", List.of(header("x", "1")),
        null)));
  }

  @Test
  void inheritedMatchesJoinPathsAndKeepTheParentsOnConflicts() {
    HTTPRouteMatch parent = match("PathPrefix", "/a/", "GET", List.of(header("x", "parent")), null);
    HTTPRouteMatch joined = DelegationMatches.joined(parent,
        match("Exact", "/b/./c/", "POST", List.of(header("x", "child"), header("a", "1")), null));
    assertEquals("/a/b/c", joined.getPath().getValue());
    assertEquals("Exact", joined.getPath().getType());
    assertEquals("GET", joined.getMethod());
    assertEquals(List.of(header("a", "1"), header("x", "parent")), joined.getHeaders());
    assertEquals("/a", DelegationMatches.joined(match("PathPrefix", "/a", null, null, null),
        match(null, null, null, null, null)).getPath().getValue());
    assertEquals("/", DelegationMatches.cleanPath("/x/../.."));
  }
}
