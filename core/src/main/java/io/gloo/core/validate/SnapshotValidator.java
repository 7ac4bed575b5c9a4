package io.gloo.core.validate;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.gloo.core.translate.XdsResources;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything we know of that Envoy would reject in one Gateway's snapshot: the proto constraints of every resource
 * ({@link ProtoConstraintValidator}, including packed typed configs) and the cross-resource checks of
 * {@link SemanticChecks}. Each {@link Finding} names the xDS resource, the field path and the Kubernetes resource
 * it came from. Immutable and thread-safe; meant to run on every publish.
 */
public final class SnapshotValidator {

  private final ProtoConstraintValidator constraints;

  /** Knows the Any-packed types of {@code EnvoyJson.TYPES}. */
  public SnapshotValidator() {
    this(new ProtoConstraintValidator());
  }

  /** With a validator that knows more packed types (e.g. those of plugins). */
  public SnapshotValidator(ProtoConstraintValidator constraints) {
    this.constraints = Objects.requireNonNull(constraints, "constraints");
  }

  public ProtoConstraintValidator constraints() {
    return constraints;
  }

  /** All findings, empty if the snapshot is fit to serve. Constraint findings come first, per type and resource. */
  public List<Finding> validate(XdsResources resources) {
    List<Finding> out = new ArrayList<>();
    constraints(resources.listeners(), out);
    constraints(resources.routes(), out);
    constraints(resources.clusters(), out);
    constraints(resources.endpoints(), out);
    constraints(resources.secrets(), out);
    out.addAll(SemanticChecks.check(resources));
    return out;
  }

  /**
   * What {@link #validate} would find inside this one route that needs no other resource to see: its proto
   * constraints and {@link RouteLocalChecks}. Paths are relative to the route. Lets the translator replace an invalid
   * route before it reaches a snapshot (references to clusters are checked on the whole snapshot only).
   */
  public List<Violation> validateRoute(Route route) {
    List<Violation> out = constraints.validate(route);
    RouteLocalChecks.route(route, out);
    return out;
  }

  private void constraints(List<? extends Message> resources, List<Finding> out) {
    for (Message resource : resources) {
      for (Violation v : constraints.validate(resource)) {
        out.add(finding(resource, v));
      }
    }
  }

  /** A finding on {@code resource}, attributed to the source of the deepest message on the violation's path. */
  static Finding finding(Message resource, Violation violation) {
    return new Finding("type.googleapis.com/" + resource.getDescriptorForType().getFullName(),
        Resources.getResourceName(resource), violation, SourceAttribution.sources(resource, violation.path()));
  }
}
