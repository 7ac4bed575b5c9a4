package com.example.gloo.responseheaders;

import io.gloo.spi.policy.PolicyRef;
import io.gloo.spi.translate.Diagnostics;
import io.gloo.spi.translate.ExtraResources;
import io.gloo.spi.translate.ResourceLookup;
import io.gloo.spi.translate.RouteContext;
import io.gloo.spi.translate.VirtualHostContext;
import java.util.ArrayList;
import java.util.List;

/**
 * What Gloo passes a translator, faked for unit tests: a translator only sees these SPI interfaces, so it is
 * tested without Gloo's core. Diagnostics are recorded as "warning FIELD: MESSAGE" / "error FIELD: MESSAGE".
 */
final class FakeRouteContext implements RouteContext, VirtualHostContext {

  final List<String> reports = new ArrayList<>();

  private final Diagnostics diagnostics = new Diagnostics() {
    @Override
    public void warning(String field, String message) {
      reports.add("warning " + field + ": " + message);
    }

    @Override
    public void error(String field, String message) {
      reports.add("error " + field + ": " + message);
    }
  };

  @Override
  public String gateway() {
    return "default/http";
  }

  @Override
  public List<PolicyRef> policies() {
    return List.of(new PolicyRef(ResponseHeaderPolicyKind.GROUP_KIND, "default", "security-headers"));
  }

  @Override
  public Diagnostics diagnostics() {
    return diagnostics;
  }

  @Override
  public ResourceLookup lookup() {
    throw new UnsupportedOperationException("this translator looks nothing up");
  }

  @Override
  public ExtraResources extra() {
    throw new UnsupportedOperationException("this translator adds no resources");
  }

  @Override
  public String httpRoute() {
    return "default/web";
  }

  @Override
  public int rule() {
    return 0;
  }

  @Override
  public String ruleName() {
    return null;
  }

  @Override
  public List<String> gatewayListeners() {
    return List.of("http");
  }

  @Override
  public List<String> domains() {
    return List.of("*");
  }
}
