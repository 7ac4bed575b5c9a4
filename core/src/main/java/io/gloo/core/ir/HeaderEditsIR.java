package io.gloo.core.ir;

import java.util.List;

/**
 * Header edits, in the Gateway API's terms: {@code set} overwrites, {@code add} appends, {@code remove} deletes.
 */
public record HeaderEditsIR(List<Header> set, List<Header> add, List<String> remove) {

  public static final HeaderEditsIR NONE = new HeaderEditsIR(List.of(), List.of(), List.of());

  public HeaderEditsIR {
    set = List.copyOf(set);
    add = List.copyOf(add);
    remove = List.copyOf(remove);
  }

  public boolean isEmpty() {
    return set.isEmpty() && add.isEmpty() && remove.isEmpty();
  }

  public record Header(String name, String value) {}
}
