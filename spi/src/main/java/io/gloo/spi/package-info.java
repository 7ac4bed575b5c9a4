/**
 * The Gloo Gateway plugin SPI: the only API a plugin compiles against. It grows with the plugin-platform work;
 * for now it carries the SPI version that plugins are checked against.
 */
package io.gloo.spi;
