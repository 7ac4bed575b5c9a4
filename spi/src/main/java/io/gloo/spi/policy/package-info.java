/** Policy kinds: what a plugin serves, how it attaches, how it is validated. */
package io.gloo.spi.policy;
