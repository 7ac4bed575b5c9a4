package io.gloo.core.watch;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.ObjectMapper;

/**
 * Finds the line and column of a field ({@code spec.listeners[0].port}) of one document of a manifest file, so
 * that a problem points at the field, not at the document. Used only for documents with problems; it reads the
 * text again with a streaming parser that only moves forward, so the documents of one file, asked for in order,
 * cost one pass over the file (and one more pass over a document to index its fields). A path that is not there (a required field that is missing) resolves to its
 * deepest existing parent. Not thread-safe: one per parse.
 */
final class FieldLines implements AutoCloseable {

  /** A position: 1-based line and column. */
  record Position(int line, int column) {}

  private final ObjectMapper mapper;
  private final String content;
  private JsonParser parser;
  private int document = -1; // the last document the parser has read, -1 before the first
  private java.util.Map<String, Position> positions;

  FieldLines(ObjectMapper mapper, String content) {
    this.mapper = mapper;
    this.content = content;
  }

  /**
   * Where {@code path} is in document {@code index} (0-based, counting every document of the file as the reader
   * saw them), its deepest existing parent if it is not there, or {@code fallback} if the text cannot be read.
   */
  Position locate(int index, String path, Position fallback) {
    try {
      if (index != document || positions == null) {
        positions = index(index);
      }
    } catch (JacksonException | IllegalStateException e) {
      positions = java.util.Map.of();
    }
    if (positions.isEmpty()) {
      return fallback;
    }
    String p = path;
    while (true) {
      Position found = positions.get(p);
      if (found != null) {
        return found;
      }
      int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      if (cut <= 0) {
        return positions.getOrDefault("", fallback);
      }
      p = p.substring(0, cut);
    }
  }

  /** Every field and list item of document {@code index} by path, recorded in one pass. */
  private java.util.Map<String, Position> index(int index) {
    if (parser == null || index <= document) {
      close();
      parser = mapper.createParser(content);
      document = -1;
    }
    while (document < index - 1) {
      if (parser.nextToken() == null) {
        return java.util.Map.of();
      }
      parser.skipChildren();
      document++;
    }
    if (parser.nextToken() == null) {
      return java.util.Map.of();
    }
    document = index;
    java.util.Map<String, Position> out = new java.util.HashMap<>();
    out.put("", position(parser.currentTokenLocation()));
    record(parser, "", out);
    return out;
  }

  /** Records the positions below the value the parser stands on, and consumes it. */
  private static void record(JsonParser p, String path, java.util.Map<String, Position> out) {
    JsonToken token = p.currentToken();
    if (token == JsonToken.START_OBJECT) {
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        String child = path.isEmpty() ? p.currentName() : path + "." + p.currentName();
        out.put(child, position(p.currentTokenLocation()));
        p.nextToken();
        record(p, child, out);
      }
    } else if (token == JsonToken.START_ARRAY) {
      int i = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        String child = path + "[" + i++ + "]";
        out.put(child, position(p.currentTokenLocation()));
        record(p, child, out);
      }
    }
  }

  private static Position position(TokenStreamLocation location) {
    return new Position(Math.max(location.getLineNr(), 0), Math.max(location.getColumnNr(), 0));
  }

  @Override
  public void close() {
    if (parser != null) {
      parser.close();
      parser = null;
    }
  }
}
