package io.gloo.plugins.extauth.model;

import io.gloo.plugins.common.Durations;
import io.gloo.plugins.common.GlooObject;
import io.gloo.plugins.common.Paths;
import io.gloo.spi.policy.Violation;
import java.util.List;
import java.util.Map;

/**
 * {@code passThroughAuth{grpc{address, connectionTimeout} | http{url, request, response, connectionTimeout},
 * failureModeAllow, config}}: delegate the decision to another auth service.
 */
public class PassThroughAuth extends GlooObject {

  public Grpc grpc;
  public Http http;
  public Boolean failureModeAllow;
  /** Opaque configuration Gloo passes to the service in its state; kept, not interpreted. */
  public Map<String, Object> config;

  /** {@code {address, connectionTimeout}}: an {@code envoy.service.auth.v3.Authorization} server. */
  public static class Grpc extends GlooObject {
    public String address;
    public String connectionTimeout;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out, java.util.Set.of("retryPolicy", "tlsConfig"));
      HostPorts.check(address, Paths.join(path, "address"), out);
      Durations.check(connectionTimeout, Paths.join(path, "connectionTimeout"), out);
      if (unknownFields().containsKey("tlsConfig")) {
        out.add(new Violation(Paths.join(path, "tlsConfig"), "not supported by this implementation"));
      }
    }
  }

  /** {@code {url, request{allowedHeaders, headersToAdd}, response{allowedUpstreamHeaders, ...}, connectionTimeout}}. */
  public static class Http extends GlooObject {
    public String url;
    public Request request;
    public Response response;
    public String connectionTimeout;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      Urls.check(url, Paths.join(path, "url"), out);
      validate(request, Paths.join(path, "request"), out);
      validate(response, Paths.join(path, "response"), out);
      Durations.check(connectionTimeout, Paths.join(path, "connectionTimeout"), out);
    }
  }

  /** {@code {allowedHeaders[], headersToAdd{}, passThroughState, passThroughFilterMetadata, passThroughBody}}. */
  public static class Request extends GlooObject {
    public List<String> allowedHeaders;
    public Map<String, String> headersToAdd;
    public Boolean passThroughState;
    public Boolean passThroughFilterMetadata;
    public Boolean passThroughBody;
  }

  /** {@code {allowedUpstreamHeaders[], allowedClientHeadersOnDenied[], allowedUpstreamHeadersToAppend[]}}. */
  public static class Response extends GlooObject {
    public List<String> allowedUpstreamHeaders;
    public List<String> allowedClientHeadersOnDenied;
    public List<String> allowedUpstreamHeadersToAppend;
    public Boolean readStateFromResponse;
  }

  @Override
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out);
    if ((grpc == null) == (http == null)) {
      out.add(new Violation(path, "exactly one of grpc or http is required"));
    }
    validate(grpc, Paths.join(path, "grpc"), out);
    validate(http, Paths.join(path, "http"), out);
  }
}
