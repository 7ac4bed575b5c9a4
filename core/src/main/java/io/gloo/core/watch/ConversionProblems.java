package io.gloo.core.watch;

import io.fabric8.kubernetes.api.model.Secret;
import io.gloo.core.admission.BindingPaths;
import io.gloo.core.admission.Yaml;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * A document that does not convert to its model class, described in YAML terms: the field's path and what was
 * expected there ({@code spec.ports[0].port: expected an integer, got "abc"}), never a Java type name. Secret values
 * are never shown.
 */
final class ConversionProblems {

  /** A field path ({@code ""}: the document) and the message. */
  record Located(String path, String message) {}

  private ConversionProblems() {}

  static Located describe(RuntimeException e, JsonNode document, Class<?> modelType) {
    JacksonException jackson = ManifestParser.find(e, JacksonException.class);
    String path = jackson == null ? "" : fieldPath(jackson.getPath());
    boolean secret = Secret.class.isAssignableFrom(modelType);
    String prefix = path.isEmpty() ? "" : path + ": ";
    if (jackson instanceof UnrecognizedPropertyException unknown) {
      return new Located(path, "unknown field \"" + path + "\"");
    }
    if (jackson instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
      String expected = expected(mismatch.getTargetType());
      JsonNode value = at(document, jackson.getPath());
      String got = secret ? "" : ", got " + Yaml.describe(value);
      return new Located(path, prefix + "expected " + expected + got);
    }
    if (secret) {
      return new Located(path, prefix + "invalid value (value not shown)");
    }
    String reason = jackson != null ? jackson.getOriginalMessage() : e.getMessage();
    return new Located(path, prefix + "invalid value: " + ManifestParser.firstLine(reason));
  }

  static String expected(Class<?> type) {
    return BindingPaths.expected(type);
  }

  private static JsonNode at(JsonNode document, List<JacksonException.Reference> references) {
    return BindingPaths.at(document, references);
  }

  private static String fieldPath(List<JacksonException.Reference> references) {
    return BindingPaths.fieldPath(references);
  }
}
