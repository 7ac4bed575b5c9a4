package io.gloo.core.logging;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * gloo's SLF4J binding (found through {@code META-INF/services}): {@link LineLogger}s configured by
 * {@link LogSettings}, writing text or JSON lines to standard error. It replaces slf4j-simple, which has neither a
 * JSON layout nor levels that change at run time; it is a few classes, so offline commands start no faster or
 * slower than before (a logging framework such as Logback would load and configure far more at start-up).
 */
public final class GlooLoggerProvider implements SLF4JServiceProvider {

  /** The SLF4J API version this binding is written against. */
  public static final String REQUESTED_API_VERSION = "2.0.99";

  private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
  private final ILoggerFactory factory = name -> loggers.computeIfAbsent(name, LineLogger::new);
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new BasicMDCAdapter();

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return REQUESTED_API_VERSION;
  }

  @Override
  public void initialize() {
    // nothing to set up: LogSettings reads its properties on first use
  }
}
