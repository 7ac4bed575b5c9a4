package io.gloo.spi.policy;

/** How resources of a policy kind come to apply to traffic. Core resolves each; the plugin only translates. */
public enum Attachment {
  /** Named from an HTTPRoute rule's {@code ExtensionRef} filter (same namespace); applies to that rule. */
  EXTENSION_REF,
  /**
   * Through the policy's own {@code spec.targetRefs}: a Gateway (optionally one listener by {@code sectionName}) or
   * an HTTPRoute (optionally one rule by {@code sectionName}), in the policy's namespace.
   */
  TARGET_REF,
  /** Named as a {@code backendRef} of an HTTPRoute: the plugin builds the backend's cluster and endpoints. */
  BACKEND_REF,
  /** Only referenced from other policies (looked up through {@link io.gloo.spi.translate.ResourceLookup}). */
  REFERENCED
}
