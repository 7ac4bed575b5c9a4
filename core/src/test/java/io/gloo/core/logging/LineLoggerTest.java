package io.gloo.core.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.testing.LogCapture;
import io.gloo.core.translate.TranslationJson;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;
import tools.jackson.databind.JsonNode;

/** gloo's SLF4J binding: text as slf4j-simple wrote it, JSON one object per line, levels that change at once. */
class LineLoggerTest {

  private static final String NAME = "io.gloo.linetest.Component";
  private final Logger log = LoggerFactory.getLogger(NAME);

  @AfterEach
  void restore() {
    LogSettings.get().format(LogSettings.Format.TEXT);
    LogSettings.get().reset("io.gloo.linetest");
    MDC.clear();
  }

  private static List<JsonNode> jsonLines(String text) {
    return text.lines().filter(l -> l.contains("io.gloo.linetest"))
        .map(l -> TranslationJson.mapper().readTree(l)).toList();
  }

  @Test
  void theBindingIsGloos() {
    assertTrue(log instanceof LineLogger, log.getClass().getName());
  }

  @Test
  void textKeepsSlf4jSimplesLayout() {
    try (LogCapture logs = new LogCapture()) {
      log.info("hello {}", "world");
    }
    // (read after close: nothing else is being written)
    try (LogCapture logs = new LogCapture()) {
      log.warn("careful {}", 1);
      assertTrue(logs.text().contains("[" + Thread.currentThread().getName() + "] WARN " + NAME + " - careful 1"),
          logs.text());
    }
  }

  @Test
  void jsonIsOneObjectPerLineWithTheResourceKeyValues() {
    LogSettings.get().format(LogSettings.Format.JSON);
    try (LogCapture logs = new LogCapture()) {
      log.atWarn().addKeyValue("kind", "HTTPRoute").addKeyValue("namespace", "ns").addKeyValue("name", "r")
          .log("a \"quoted\"\nmessage {}", 42);
      MDC.put("gateway", "default/gw");
      log.info("second");
      List<JsonNode> lines = jsonLines(logs.text());
      assertEquals(2, lines.size(), logs.text());
      JsonNode first = lines.get(0);
      assertEquals("WARN", first.get("level").asString());
      assertEquals(NAME, first.get("logger").asString());
      assertEquals("a \"quoted\"\nmessage 42", first.get("message").asString());
      assertEquals("HTTPRoute", first.get("kind").asString());
      assertEquals("ns", first.get("namespace").asString());
      assertEquals("r", first.get("name").asString());
      assertEquals(Thread.currentThread().getName(), first.get("thread").asString());
      assertTrue(first.get("time").asString().endsWith("Z"), first.toString());
      assertEquals("default/gw", lines.get(1).get("gateway").asString(), "MDC entries are fields");
    }
  }

  @Test
  void jsonCarriesTheStackTraceOnlyAtDebug() {
    LogSettings.get().format(LogSettings.Format.JSON);
    IOException failure = new IOException("disk gone");
    try (LogCapture logs = new LogCapture()) {
      log.warn("failed", failure);
      JsonNode line = jsonLines(logs.text()).get(0);
      assertEquals("java.io.IOException: disk gone", line.get("error").asString());
      assertFalse(line.has("stack"), line.toString());
    }
    LogSettings.get().level("io.gloo.linetest", Level.DEBUG);
    try (LogCapture logs = new LogCapture()) {
      log.warn("failed", failure);
      JsonNode line = jsonLines(logs.text()).get(0);
      assertTrue(line.get("stack").asString().contains("LineLoggerTest"), line.toString());
    }
  }

  @Test
  void levelsFollowTheNearestConfiguredAncestorAndChangeAtOnce() {
    assertFalse(log.isDebugEnabled());
    LogSettings.get().level("io.gloo.linetest", Level.DEBUG);
    assertTrue(log.isDebugEnabled());
    LogSettings.get().level(NAME, Level.ERROR);
    assertFalse(log.isWarnEnabled(), "its own level wins over its parent's");
    LogSettings.get().reset(NAME);
    assertTrue(log.isDebugEnabled());
    try (LogCapture logs = new LogCapture()) {
      LogSettings.get().level("io.gloo.linetest", Level.WARN);
      log.info("not written");
      assertFalse(logs.text().contains("not written"));
    }
  }

  @Test
  void badFormatsAndLevelsAreOneLineErrors() {
    assertEquals("log format must be text or json, not 'xml'",
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> LogSettings.Format.parse("xml")).getMessage());
    assertEquals(Level.WARN, LogSettings.parseLevel("Warn"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> LogSettings.parseLevel("loud"));
  }
}
