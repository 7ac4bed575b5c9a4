package io.gloo.plugins.extauth.service;

import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of one auth step or of a whole config. Immutable.
 *
 * @param allowed whether the request may proceed
 * @param httpStatus the status of the denial (401, 403, 302 for a login redirect ...); 200 when allowed
 * @param upstreamHeaders headers to add to the request sent upstream (allowed) — user id, claims
 * @param responseHeaders headers for the client: on the denial (WWW-Authenticate, Location, Set-Cookie), or added
 *     to the upstream's response when allowed (Set-Cookie after a session refresh)
 * @param body the denial's body, or empty
 * @param reason a short code for metrics and debug logs (never a secret)
 */
public record AuthResult(boolean allowed, int httpStatus, List<Header> upstreamHeaders, List<Header> responseHeaders,
    String body, String reason) {

  /** A header; {@code append} adds a value instead of replacing. */
  public record Header(String name, String value, boolean append) {
    public Header(String name, String value) {
      this(name, value, false);
    }
  }

  public static AuthResult ok(String reason, List<Header> upstreamHeaders) {
    return new AuthResult(true, 200, List.copyOf(upstreamHeaders), List.of(), "", reason);
  }

  public static AuthResult ok(String reason) {
    return ok(reason, List.of());
  }

  public static AuthResult deny(int status, String reason, Header... responseHeaders) {
    return new AuthResult(false, status, List.of(), List.of(responseHeaders), "", reason);
  }

  public static AuthResult unauthorized(String reason, Header... responseHeaders) {
    return deny(401, reason, responseHeaders);
  }

  public static AuthResult forbidden(String reason) {
    return deny(403, reason);
  }

  /** A 302 to {@code location}, with cookies to set. */
  public static AuthResult redirect(String reason, String location, List<String> setCookies) {
    List<Header> headers = new ArrayList<>();
    headers.add(new Header("location", location));
    setCookies.forEach(c -> headers.add(new Header("set-cookie", c, true)));
    return new AuthResult(false, 302, List.of(), List.copyOf(headers), "", reason);
  }

  /** This result with response headers added (for an allowed request: added to the upstream's response). */
  public AuthResult withResponseHeaders(List<Header> more) {
    List<Header> all = new ArrayList<>(responseHeaders);
    all.addAll(more);
    return new AuthResult(allowed, httpStatus, upstreamHeaders, List.copyOf(all), body, reason);
  }

  /** This allowed result with {@code earlier} headers first (headers of steps accumulate in order). */
  public AuthResult after(List<Header> earlierUpstream, List<Header> earlierResponse) {
    List<Header> up = new ArrayList<>(earlierUpstream);
    up.addAll(upstreamHeaders);
    List<Header> resp = new ArrayList<>(earlierResponse);
    resp.addAll(responseHeaders);
    return new AuthResult(allowed, httpStatus, List.copyOf(up), List.copyOf(resp), body, reason);
  }
}
