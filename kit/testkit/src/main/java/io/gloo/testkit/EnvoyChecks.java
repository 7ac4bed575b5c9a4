package io.gloo.testkit;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.gloo.core.validate.ProtoConstraintValidator;
import io.gloo.core.validate.SnapshotValidator;
import java.util.ArrayList;
import java.util.List;
import org.opentest4j.AssertionFailedError;

/**
 * What Envoy would reject in a message a translator built, checked with core's validator: the
 * {@code validate.rules} constraints of Envoy's protos (including messages packed in {@code Any}s, e.g. a filter's
 * {@code typed_config}) and, for routes, the checks core runs on each route before it is served (regexes, header
 * names). Core runs the same checks on a plugin's output at run time and fails the route closed when they fail.
 * Immutable and thread-safe.
 */
public final class EnvoyChecks {

  private final SnapshotValidator validator;

  /** Knows the packed types core knows (Envoy's filters and extensions core uses). */
  public EnvoyChecks() {
    this(new SnapshotValidator());
  }

  private EnvoyChecks(SnapshotValidator validator) {
    this.validator = validator;
  }

  /** Also knows these packed types (a plugin's own typed configs), given by their default instances. */
  public EnvoyChecks withTypes(List<? extends Message> defaultInstances) {
    ProtoConstraintValidator constraints = new ProtoConstraintValidator().withTypes(defaultInstances);
    return new EnvoyChecks(new SnapshotValidator(constraints));
  }

  /** Each problem as {@code PATH: MESSAGE [RULE]}, e.g. {@code retry_policy.num_retries: ... [uint32.lte]}. */
  public List<String> violations(Message message) {
    List<io.gloo.core.validate.Violation> out = message instanceof Route route
        ? validator.validateRoute(route)
        : validator.constraints().validate(message);
    List<String> rendered = new ArrayList<>();
    out.forEach(v -> rendered.add(v.toString()));
    return rendered;
  }

  /** Fails with every problem Envoy would reject {@code message} for; returns it otherwise. */
  public <M extends Message> M assertValid(M message) {
    List<String> violations = violations(message);
    if (!violations.isEmpty()) {
      throw new AssertionFailedError("Envoy would reject this " + message.getDescriptorForType().getName() + ":\n  "
          + String.join("\n  ", violations));
    }
    return message;
  }
}
