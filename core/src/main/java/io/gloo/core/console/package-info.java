/**
 * The web console under {@code /ui/} on the admin port: server-rendered HTML pages over what the running control
 * plane already knows (published snapshots, statuses, proxies' ACK/NACK, plugins, the route evaluator). Every page
 * reads without JavaScript; a small script (served from the jar, nothing downloaded) swaps in fresh content when a
 * new snapshot or status appears. Served by {@code io.gloo.core.admin.AdminServer} under the same access rules as
 * the dumps. Nothing here renders a secret: xDS Secrets are never shown, Envoy messages pass through
 * {@code SensitiveFields}, resource specs through {@link io.gloo.core.console.SecretValues}.
 */
package io.gloo.core.console;
