package io.gloo.plugins.extauth.service;

import com.google.errorprone.annotations.ThreadSafe;
import io.gloo.plugins.extauth.model.BooleanExpr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One AuthConfig's steps, combined. Without {@code booleanExpr} every step must allow, in order (the first denial
 * answers), and the headers each step returns accumulate. With it, the expression is evaluated with short-circuit
 * ({@code a || b} does not run {@code b} when {@code a} allows); headers come from the steps that allowed and
 * counted towards the result; a false expression answers with the last denial a step gave (so an OIDC redirect or a
 * {@code WWW-Authenticate} challenge reaches the client), or 403 when the expression failed through a negation.
 * Immutable; closing it closes its steps.
 */
@ThreadSafe
public final class AuthChain implements AutoCloseable {

  private final List<String> names;
  private final List<Authenticator> steps;
  private final BooleanExpr expr;

  /** @param names the name of each step (null when unnamed); @param expr null for "all must pass" */
  public AuthChain(List<String> names, List<Authenticator> steps, BooleanExpr expr) {
    this.names = new ArrayList<>(names);
    this.steps = List.copyOf(steps);
    this.expr = expr;
  }

  public CompletionStage<AuthResult> check(CheckContext request) {
    if (expr == null) {
      return allOf(request, 0, List.of(), List.of());
    }
    Map<String, CompletionStage<AuthResult>> memo = new ConcurrentHashMap<>();
    return eval(expr, request, memo).thenApply(e -> {
      if (e.value()) {
        return new AuthResult(true, 200, e.upstream(), e.response(), "", "boolean_expr");
      }
      return e.denial() != null ? e.denial() : AuthResult.forbidden("boolean_expr_false");
    });
  }

  private CompletionStage<AuthResult> allOf(CheckContext request, int i, List<AuthResult.Header> up,
      List<AuthResult.Header> down) {
    if (i == steps.size()) {
      return CompletableFuture.completedFuture(new AuthResult(true, 200, up, down, "", "allowed"));
    }
    return steps.get(i).check(request).thenCompose(result -> {
      if (!result.allowed()) {
        return CompletableFuture.completedFuture(result);
      }
      AuthResult merged = result.after(up, down);
      if (i == steps.size() - 1) {
        return CompletableFuture.completedFuture(merged);
      }
      return allOf(request, i + 1, merged.upstreamHeaders(), merged.responseHeaders());
    });
  }

  /** A sub-expression's value, the headers it contributes, and the denial that explains a false value. */
  private record Eval(boolean value, List<AuthResult.Header> upstream, List<AuthResult.Header> response,
      AuthResult denial) {}

  private CompletionStage<Eval> eval(BooleanExpr e, CheckContext request,
      Map<String, CompletionStage<AuthResult>> memo) {
    if (e instanceof BooleanExpr.Name n) {
      return memo.computeIfAbsent(n.name(), name -> steps.get(names.indexOf(name)).check(request))
          .thenApply(r -> r.allowed()
              ? new Eval(true, r.upstreamHeaders(), r.responseHeaders(), null)
              : new Eval(false, List.of(), List.of(), r));
    }
    if (e instanceof BooleanExpr.Not not) {
      return eval(not.operand(), request, memo).thenApply(inner -> inner.value()
          ? new Eval(false, List.of(), List.of(), AuthResult.forbidden("boolean_expr_negated"))
          : new Eval(true, List.of(), List.of(), null));
    }
    if (e instanceof BooleanExpr.And and) {
      return eval(and.left(), request, memo).thenCompose(left -> !left.value()
          ? CompletableFuture.completedFuture(left)
          : eval(and.right(), request, memo).thenApply(right -> right.value()
              ? new Eval(true, concat(left.upstream(), right.upstream()), concat(left.response(), right.response()),
                  null)
              : right));
    }
    BooleanExpr.Or or = (BooleanExpr.Or) e;
    return eval(or.left(), request, memo).thenCompose(left -> left.value()
        ? CompletableFuture.completedFuture(left)
        : eval(or.right(), request, memo));
  }

  private static List<AuthResult.Header> concat(List<AuthResult.Header> a, List<AuthResult.Header> b) {
    List<AuthResult.Header> out = new ArrayList<>(a);
    out.addAll(b);
    return List.copyOf(out);
  }

  @Override
  public void close() {
    steps.forEach(Authenticator::close);
  }
}
