package io.gloo.spi.policy;

/** One policy resource: its kind, namespace and name. */
public record PolicyRef(GroupKind groupKind, String namespace, String name) {

  @Override
  public String toString() {
    return groupKind + " " + namespace + "/" + name;
  }
}
