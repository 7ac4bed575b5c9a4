package io.gloo.plugins.extauth.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BooleanExprTest {

  @Test
  void precedenceIsNotThenAndThenOr() {
    BooleanExpr e = BooleanExpr.parse("a || b && !c");
    assertEquals(new BooleanExpr.Or(new BooleanExpr.Name("a"),
        new BooleanExpr.And(new BooleanExpr.Name("b"), new BooleanExpr.Not(new BooleanExpr.Name("c")))), e);
  }

  @Test
  void parenthesesGroup() {
    BooleanExpr e = BooleanExpr.parse("(basic1 || oidc-1) && !api.key_2");
    assertEquals(new BooleanExpr.And(new BooleanExpr.Or(new BooleanExpr.Name("basic1"), new BooleanExpr.Name("oidc-1")),
        new BooleanExpr.Not(new BooleanExpr.Name("api.key_2"))), e);
    assertEquals(List.of("basic1", "oidc-1", "api.key_2"), List.copyOf(e.names()));
  }

  @Test
  void rejectsMalformed() {
    for (String bad : List.of("", "a ||", "(a", "a b", "a & b", "&& a", "!", "a)")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BooleanExpr.parse(bad), bad);
      assertTrue(e.getMessage().contains(bad.isEmpty() ? "empty" : "position"), e.getMessage());
    }
  }
}
