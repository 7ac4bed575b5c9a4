package io.gloo.plugins.extauth.model;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A parsed {@code booleanExpr}: names of configs combined with {@code ||}, {@code &&}, {@code !} and parentheses
 * ({@code !} binds tightest, then {@code &&}, then {@code ||}). Immutable.
 *
 * <pre>
 * or    := and ('||' and)*
 * and   := unary ('&&' unary)*
 * unary := '!' unary | '(' or ')' | NAME
 * NAME  := [A-Za-z_][A-Za-z0-9_.-]*
 * </pre>
 */
public sealed interface BooleanExpr {

  /** A config's result. */
  record Name(String name) implements BooleanExpr {}

  record Not(BooleanExpr operand) implements BooleanExpr {}

  record And(BooleanExpr left, BooleanExpr right) implements BooleanExpr {}

  record Or(BooleanExpr left, BooleanExpr right) implements BooleanExpr {}

  /** Every name the expression mentions, in order of appearance. */
  default Set<String> names() {
    Set<String> out = new LinkedHashSet<>();
    collect(this, out);
    return out;
  }

  private static void collect(BooleanExpr e, Set<String> out) {
    if (e instanceof Name n) {
      out.add(n.name());
    } else if (e instanceof Not n) {
      collect(n.operand(), out);
    } else if (e instanceof And a) {
      collect(a.left(), out);
      collect(a.right(), out);
    } else if (e instanceof Or o) {
      collect(o.left(), out);
      collect(o.right(), out);
    }
  }

  /** Parses; throws {@link IllegalArgumentException} saying where and why. */
  static BooleanExpr parse(String text) {
    return new Parser(text).parseAll();
  }

  /** Recursive descent over the text; not thread-safe (one per parse). */
  final class Parser {
    private final String text;
    private int at;

    private Parser(String text) {
      this.text = text == null ? "" : text;
    }

    BooleanExpr parseAll() {
      skipSpace();
      if (at == text.length()) {
        throw new IllegalArgumentException("is empty");
      }
      BooleanExpr e = or();
      skipSpace();
      if (at != text.length()) {
        throw error("unexpected '" + text.charAt(at) + "'");
      }
      return e;
    }

    private BooleanExpr or() {
      BooleanExpr left = and();
      while (accept("||")) {
        left = new Or(left, and());
      }
      return left;
    }

    private BooleanExpr and() {
      BooleanExpr left = unary();
      while (accept("&&")) {
        left = new And(left, unary());
      }
      return left;
    }

    private BooleanExpr unary() {
      if (accept("!")) {
        return new Not(unary());
      }
      if (accept("(")) {
        BooleanExpr inner = or();
        if (!accept(")")) {
          throw error("expected ')'");
        }
        return inner;
      }
      skipSpace();
      int start = at;
      if (at < text.length() && (Character.isLetter(text.charAt(at)) || text.charAt(at) == '_')) {
        at++;
        while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || "_.-".indexOf(text.charAt(at)) >= 0)) {
          at++;
        }
        return new Name(text.substring(start, at));
      }
      throw error(at == text.length() ? "expected a config name, got the end" : "expected a config name");
    }

    private boolean accept(String token) {
      skipSpace();
      if (text.startsWith(token, at)) {
        at += token.length();
        return true;
      }
      return false;
    }

    private void skipSpace() {
      while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
        at++;
      }
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException("cannot parse '" + text + "' at position " + at + ": " + what);
    }
  }
}
