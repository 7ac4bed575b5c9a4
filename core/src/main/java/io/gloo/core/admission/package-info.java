/**
 * Admission of manifests read from files, as an API server with the CRDs installed would do it on create: the
 * Gateway API CRDs' structural schemas and {@code x-kubernetes-validations} CEL rules (v1.6.1, unmodified, under
 * {@code resources/io/gloo/core/admission/}), and the shipped Gloo CRDs' schemas. {@link io.gloo.core.admission.Admission}
 * admits one object; {@link io.gloo.core.admission.KnownKinds} says why a kind is not read. Used by
 * {@code watch.ManifestParser} (directory mode, {@code gloo translate}) and {@code gloo validate}; never by the
 * Kubernetes source, whose API server has already admitted what it returns. Depends on nothing else of core.
 */
package io.gloo.core.admission;
