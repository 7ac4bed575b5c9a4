/** Translators and the narrow context core gives them. */
package io.gloo.spi.translate;
