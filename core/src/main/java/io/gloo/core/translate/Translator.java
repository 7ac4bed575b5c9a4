package io.gloo.core.translate;

import io.gloo.core.store.ResourceSnapshot;

/** Placeholder: replaced by the real translator. */
public final class Translator {
  public TranslationResult translate(ResourceSnapshot snapshot) {
    throw new UnsupportedOperationException("not yet");
  }
}
