package io.gloo.plugins.extauth.model;

import io.gloo.plugins.common.GlooObject;
import io.gloo.plugins.common.Paths;
import io.gloo.spi.policy.Violation;
import java.util.List;

/** {@code {name, namespace}}; the namespace defaults to the referring resource's. */
public class ResourceRef extends GlooObject {
  public String name;
  public String namespace;

  public ResourceRef() {}

  public ResourceRef(String name, String namespace) {
    this.name = name;
    this.namespace = namespace;
  }

  public String namespaceOr(String defaultNamespace) {
    return namespace == null || namespace.isEmpty() ? defaultNamespace : namespace;
  }

  /** Adds a violation unless {@code ref} is set with a name. */
  public static void require(ResourceRef ref, String path, List<Violation> out) {
    if (ref == null || ref.name == null || ref.name.isEmpty()) {
      out.add(new Violation(Paths.join(path, "name"), "is required"));
    } else {
      ref.validate(path, out);
    }
  }
}
