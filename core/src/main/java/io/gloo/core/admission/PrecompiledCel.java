package io.gloo.core.admission;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelProtoAbstractSyntaxTree;
import dev.cel.expr.CheckedExpr;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The shipped CRDs' CEL rules parsed and type-checked at build time ({@link CompactCrds} writes {@value #RESOURCE}):
 * at run time a rule's program is planned from its checked AST, without CEL's parser and checker, which cost three
 * quarters of compiling a rule and most of a quick-start {@code gloo translate}'s admission (issue #21). The ASTs
 * come from the same environment ({@link KubernetesCel}) the program runs in; a rule not found here is compiled
 * from source as before. Read once, on first use; immutable.
 */
final class PrecompiledCel {

  static final String RESOURCE = "/io/gloo/core/admission/cel-rules.bin";

  private static final class Holder {
    static final Map<String, byte[]> CHECKED = read();
  }

  private PrecompiledCel() {}

  /** The checked AST of {@code rule} (the source as the CRD has it), if the build wrote one. */
  static Optional<CelAbstractSyntaxTree> find(String rule) {
    byte[] checked = Holder.CHECKED.get(rule);
    if (checked == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(CelProtoAbstractSyntaxTree.fromCheckedExpr(CheckedExpr.parseFrom(checked)).getAst());
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return Optional.empty(); // compiled from source instead
    }
  }

  /** Writes {@code rules} with their checked ASTs ({@code compile}: rule source → checked AST). */
  static void write(Collection<String> rules, Function<String, CelAbstractSyntaxTree> compile, OutputStream out)
      throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    data.writeInt(rules.size());
    for (String rule : rules) {
      byte[] checked = CelProtoAbstractSyntaxTree.fromCelAst(compile.apply(rule)).toCheckedExpr().toByteArray();
      data.writeUTF(rule);
      data.writeInt(checked.length);
      data.write(checked);
    }
    data.flush();
  }

  private static Map<String, byte[]> read() {
    try (InputStream in = PrecompiledCel.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return Map.of();
      }
      DataInputStream data = new DataInputStream(in);
      int count = data.readInt();
      Map<String, byte[]> checked = new HashMap<>();
      for (int i = 0; i < count; i++) {
        String rule = data.readUTF();
        byte[] bytes = new byte[data.readInt()];
        data.readFully(bytes);
        checked.put(rule, bytes);
      }
      return Map.copyOf(checked);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }
}
