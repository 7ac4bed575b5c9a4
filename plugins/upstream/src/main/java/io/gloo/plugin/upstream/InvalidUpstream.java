package io.gloo.plugin.upstream;

/**
 * An Upstream that cannot be built from what the cluster holds (e.g. its TLS Secret is missing). Thrown from the
 * backend translator so that core drops the cluster: the routes to it answer 500 instead of sending traffic in
 * plaintext or nowhere, and core reports the message on the Upstream (which is then Rejected). The message names the
 * spec field and never contains secret values.
 */
final class InvalidUpstream extends RuntimeException {

  private static final long serialVersionUID = 1L;

  InvalidUpstream(String field, String message) {
    super("spec." + field + ": " + message, null, false, false);
  }
}
