/**
 * The Gloo Gateway plugin SPI: the only API a plugin compiles against. A plugin is a PF4J archive (a jar or zip with
 * {@code Plugin-Id}, {@code Plugin-Version} and {@code Plugin-Requires} in its manifest) whose
 * {@link io.gloo.spi.GlooPlugin} contributes {@linkplain io.gloo.spi.policy.PolicyKind policy kinds}; core watches
 * their resources, resolves their attachments, merges them, and calls their
 * {@linkplain io.gloo.spi.translate.PolicyTranslator translators} at defined points of the Envoy configuration.
 *
 * <p>Plugins run in their own classloaders, which share only these packages with core: {@code io.gloo.spi},
 * Envoy's and protobuf's generated classes, Jackson, SLF4J and the gRPC API.
 */
package io.gloo.spi;
