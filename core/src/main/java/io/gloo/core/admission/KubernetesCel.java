package io.gloo.core.admission;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.errorprone.annotations.ThreadSafe;
import com.google.re2j.Pattern;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import tools.jackson.databind.JsonNode;

/**
 * The CEL environment of Kubernetes' {@code x-kubernetes-validations}, as far as the CRDs we admit use it: the
 * standard definitions and macros ({@code has}, {@code all}, {@code exists}, {@code exists_one}, {@code filter},
 * {@code map}; {@code size}, {@code matches} (RE2), {@code contains}, {@code startsWith}, {@code endsWith},
 * {@code duration}, {@code in}) plus the strings extension ({@code split}, {@code lowerAscii}, ...), which the
 * Kubernetes library includes, and Kubernetes' {@code isIP} (TLSRoute's hostname rule). {@code self} is typed {@code dyn}: rules are checked when they run, against plain
 * maps, lists and scalars, which is what Kubernetes' typed {@code self} exposes for these schemas.
 *
 * <p>Not provided (no rule of the admitted CRDs calls them): Kubernetes' {@code isURL}/{@code url},
 * {@code ip}/{@code cidr}, {@code quantity}, {@code format.*}, the regex {@code find} functions. A rule
 * that needs one fails to compile, which {@link CelRules#compileAll()} reports (CrdCatalogTest compiles every
 * shipped rule); rules are compiled on first use, so at run time it would show as the object's violation.
 */
@ThreadSafe
final class KubernetesCel {

  /**
   * Compiled RE2 patterns by source: CEL's own {@code matches} compiles its pattern on every call, which made it
   * the most expensive step of admission. Patterns come from the CRDs (a few dozen), so the cache stays small.
   */
  private static final String CACHED_MATCHES = "cachedMatches";
  private static final ConcurrentMap<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

  /**
   * Compiled programs by rule source: the same rule recurs across a CRD (HTTPRoute's filter rules at two places)
   * and its versions, and a program is immutable and thread-safe.
   */
  private static final ConcurrentMap<String, CelRuntime.Program> PROGRAMS = new ConcurrentHashMap<>();

  private static final Cel CEL = CelFactory.standardCelBuilder()
      .setOptions(CelOptions.current().enableHeterogeneousNumericComparisons(true).build())
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addCompilerLibraries(CelExtensions.strings())
      .addRuntimeLibraries(CelExtensions.strings())
      // matches with cached patterns; CEL does not let the standard binding be replaced, see compile()
      .addFunctionDeclarations(CelFunctionDecl.newFunctionDeclaration(CACHED_MATCHES,
          CelOverloadDecl.newMemberOverload("string_cached_matches_string", SimpleType.BOOL, SimpleType.STRING,
              SimpleType.STRING)))
      .addFunctionBindings(CelRuntime.CelFunctionBinding.from("string_cached_matches_string", String.class,
          String.class, KubernetesCel::matches))
      // Kubernetes' isIP (TLSRoute hostnames may not be IP addresses): an IPv4 or IPv6 literal, no zone, no DNS
      .addFunctionDeclarations(CelFunctionDecl.newFunctionDeclaration("isIP",
          CelOverloadDecl.newGlobalOverload("is_ip_string", SimpleType.BOOL, SimpleType.STRING)))
      .addFunctionBindings(CelRuntime.CelFunctionBinding.from("is_ip_string", String.class, KubernetesCel::isIp))
      .addVar("self", SimpleType.DYN)
      .build();

  /** Kubernetes' {@code isIP}: an IPv4 or IPv6 address literal (without a zone); never resolves a name. */
  static boolean isIp(String value) {
    return !value.contains("%") && com.google.common.net.InetAddresses.isInetAddress(value);
  }

  /** RE2 {@code find} semantics, as CEL's {@code matches}. */
  static boolean matches(String value, String regex) {
    return PATTERNS.computeIfAbsent(regex, Pattern::compile).matcher(value).find();
  }

  private KubernetesCel() {}

  /**
   * Compiles a rule; throws with CEL's own message when it does not compile. {@code x.matches(re)} is compiled as
   * {@code x.cachedMatches(re)}, the same function with the pattern compiled once (a textual rewrite: the CRDs'
   * rules never contain {@code .matches(} inside a string literal, and AdmissionCelRulesTest runs every rule).
   */
  static CelRuntime.Program compile(String rule) {
    CelRuntime.Program known = PROGRAMS.get(rule);
    if (known != null) {
      return known;
    }
    CelRuntime.Program program = compileNew(rule);
    PROGRAMS.putIfAbsent(rule, program);
    return program;
  }

  private static CelRuntime.Program compileNew(String rule) {
    try {
      return CEL.createProgram(PrecompiledCel.find(rule).orElseGet(() -> check(rule)));
    } catch (CelEvaluationException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** Parses and type-checks a rule (with the {@code matches} rewrite); throws when it does not compile. */
  static CelAbstractSyntaxTree check(String rule) {
    try {
      return CEL.compile(rule.replace(".matches(", "." + CACHED_MATCHES + "(")).getAst();
    } catch (CelValidationException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** Evaluates a compiled rule with {@code self} bound: true when it holds. */
  static boolean holds(CelRuntime.Program program, Object self) throws CelEvaluationException {
    return Boolean.TRUE.equals(evaluate(program, self));
  }

  /** Evaluates a compiled expression with {@code self} bound. */
  static Object evaluate(CelRuntime.Program program, Object self) throws CelEvaluationException {
    // a resolver, not a map: eval(Map) copies the map into an activation on every call
    return program.eval(name -> name.equals("self") ? Optional.of(self) : Optional.empty());
  }

  /**
   * A JSON tree as CEL values: objects as maps (insertion order kept), arrays as lists, integers as {@code long},
   * other numbers as {@code double}; null stays a null map entry.
   */
  static Object value(JsonNode node) {
    // Guava immutable collections: CEL's runtime copies other collections into immutable ones on every access
    if (node.isObject()) {
      ImmutableMap.Builder<String, Object> map = ImmutableMap.builderWithExpectedSize(node.size());
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        map.put(e.getKey(), value(e.getValue()));
      }
      return map.buildKeepingLast();
    }
    if (node.isArray()) {
      ImmutableList.Builder<Object> list = ImmutableList.builderWithExpectedSize(node.size());
      for (JsonNode item : node) {
        list.add(value(item));
      }
      return list.build();
    }
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    if (node.isString()) {
      return node.asString();
    }
    return com.google.protobuf.NullValue.NULL_VALUE;
  }
}
