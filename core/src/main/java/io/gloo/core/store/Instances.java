package io.gloo.core.store;

import java.util.List;

/**
 * Change detection by identity. Unchanged input is served as the same instances (the directory source, the
 * informers, and the translator's caches all keep them), so "the same objects in the same order" is a cheap and exact
 * test for "nothing to redo", where {@code equals} would walk deep structures or run plugin code.
 */
public final class Instances {

  private Instances() {}

  /** Whether both lists hold the same objects ({@code ==}) in the same order. */
  public static boolean sameElements(List<?> a, List<?> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }
}
