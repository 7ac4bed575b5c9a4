package io.gloo.core.admission;

import com.google.errorprone.annotations.ThreadSafe;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The CEL environment of Kubernetes' {@code x-kubernetes-validations}, as far as the CRDs we admit use it: the
 * standard definitions and macros ({@code has}, {@code all}, {@code exists}, {@code exists_one}, {@code filter},
 * {@code map}; {@code size}, {@code matches} (RE2), {@code contains}, {@code startsWith}, {@code endsWith},
 * {@code duration}, {@code in}) plus the strings extension ({@code split}, {@code lowerAscii}, ...), which the
 * Kubernetes library includes. {@code self} is typed {@code dyn}: rules are checked when they run, against plain
 * maps, lists and scalars, which is what Kubernetes' typed {@code self} exposes for these schemas.
 *
 * <p>Not provided (no rule of the admitted CRDs calls them): Kubernetes' {@code isURL}/{@code url},
 * {@code isIP}/{@code ip}/{@code cidr}, {@code quantity}, {@code format.*}, the regex {@code find} functions. A rule
 * that needs one fails to compile, which {@link CelRules} reports when the CRD is loaded, not per object.
 */
@ThreadSafe
final class KubernetesCel {

  private static final Cel CEL = CelFactory.standardCelBuilder()
      .setOptions(CelOptions.current().enableHeterogeneousNumericComparisons(true).build())
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addCompilerLibraries(CelExtensions.strings())
      .addRuntimeLibraries(CelExtensions.strings())
      .addVar("self", SimpleType.DYN)
      .build();

  private KubernetesCel() {}

  /** Compiles a rule; throws with CEL's own message when it does not compile. */
  static CelRuntime.Program compile(String rule) {
    try {
      return CEL.createProgram(CEL.compile(rule).getAst());
    } catch (CelValidationException | CelEvaluationException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** Evaluates a compiled rule with {@code self} bound: true when it holds. */
  static boolean holds(CelRuntime.Program program, Object self) throws CelEvaluationException {
    return Boolean.TRUE.equals(program.eval(Map.of("self", self)));
  }

  /**
   * A JSON tree as CEL values: objects as maps (insertion order kept), arrays as lists, integers as {@code long},
   * other numbers as {@code double}; null stays a null map entry.
   */
  static Object value(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        map.put(e.getKey(), value(e.getValue()));
      }
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>(node.size());
      for (JsonNode item : node) {
        list.add(value(item));
      }
      return list;
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
