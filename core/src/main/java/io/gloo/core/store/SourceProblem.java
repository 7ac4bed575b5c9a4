package io.gloo.core.store;

/**
 * A problem a config source found while reading its input, e.g. malformed YAML: where it is and what is wrong.
 * A problem never stops the other inputs from being served.
 *
 * @param source the file (or other origin) that holds the problem
 * @param line 1-based line, or 0 when unknown
 * @param column 1-based column, or 0 when unknown
 * @param message what is wrong, without secret values
 */
public record SourceProblem(String source, int line, int column, String message) {

  @Override
  public String toString() {
    return line > 0 ? source + ":" + line + ":" + column + ": " + message : source + ": " + message;
  }
}
