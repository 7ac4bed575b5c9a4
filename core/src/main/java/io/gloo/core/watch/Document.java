package io.gloo.core.watch;

import io.gloo.core.store.SourceProblem;
import tools.jackson.databind.ObjectMapper;

/**
 * One document of a manifest file being parsed: its index in the file and where it starts, and how to turn a field
 * path into a problem at that field's line.
 */
record Document(Context context, int index, int line, int column) {

  /** The file being parsed; finds field lines on demand (only documents with problems pay for it). Not thread-safe. */
  static final class Context implements AutoCloseable {
    private final String source;
    private final ObjectMapper mapper;
    private final String content;
    private FieldLines lines;

    Context(String source, ObjectMapper mapper, String content) {
      this.source = source;
      this.mapper = mapper;
      this.content = content;
    }

    String source() {
      return source;
    }

    FieldLines lines() {
      if (lines == null) {
        lines = new FieldLines(mapper, content);
      }
      return lines;
    }

    @Override
    public void close() {
      if (lines != null) {
        lines.close();
      }
    }
  }

  /** A problem at the line of {@code path} in this document (its deepest existing parent; the document start). */
  SourceProblem problemAt(String path, String message) {
    FieldLines.Position start = new FieldLines.Position(line, column);
    FieldLines.Position at = path.isEmpty() ? start : context.lines().locate(index, path, start);
    return new SourceProblem(context.source(), at.line(), at.column(), message);
  }
}
