package io.gloo.core.testing;

import io.gloo.core.translate.TranslationJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/** Reading Prometheus text ({@code /metrics}) and the metrics the chart's Grafana dashboard queries, for tests. */
public final class Scrape {

  /** The chart's dashboard, from a module directory one level under the repository root. */
  public static final Path DASHBOARD = Path.of("..", "dist", "src", "helm", "gloo-gateway", "dashboards",
      "gloo-control-plane.json");
  /** The chart's three example alert rules (a Helm template of a PrometheusRule). */
  public static final Path ALERT_RULES = Path.of("..", "dist", "src", "helm", "gloo-gateway", "templates",
      "monitoring-prometheusrule.yaml");
  private static final Pattern SELECTOR = Pattern.compile(
      "\\b((?:gloo|jvm|process|system)_[a-z0-9_]+)\\{([^}]*)}");
  private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*=\\s*\"([^\"]*)\"");
  private static final Pattern METRIC = Pattern.compile("\\b((?:gloo|jvm|process|system)_[a-z0-9_]+)");

  private Scrape() {}

  /**
   * The sum of the samples of metric {@code name} whose labels include every {@code labels} pair (alternating
   * key, value), or -1 when there is none.
   */
  public static double value(String scrape, String name, String... labels) {
    double sum = 0;
    boolean found = false;
    for (String line : scrape.split("\n")) {
      if (line.isEmpty() || line.startsWith("#") || !line.startsWith(name)) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String metric = brace >= 0 ? line.substring(0, brace) : line.substring(0, line.indexOf(' '));
      if (!metric.equals(name)) {
        continue;
      }
      String labelText = brace >= 0 ? line.substring(brace, line.lastIndexOf('}') + 1) : "";
      boolean all = true;
      for (int i = 0; i + 1 < labels.length; i += 2) {
        String pair = labels[i] + "=\"" + labels[i + 1] + "\"";
        if (!labelText.contains("{" + pair) && !labelText.contains("," + pair)) {
          all = false;
          break;
        }
      }
      if (all) {
        found = true;
        sum += Double.parseDouble(line.substring(space + 1).trim());
      }
    }
    return found ? sum : -1;
  }

  /** Every sample's metric name, and for histograms the base name as well (name_bucket/_count/_sum and name). */
  public static Set<String> metricNames(String scrape) {
    Set<String> names = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int end = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
      String name = line.substring(0, end);
      names.add(name);
      for (String suffix : List.of("_bucket", "_count", "_sum", "_max")) {
        if (name.endsWith(suffix)) {
          names.add(name.substring(0, name.length() - suffix.length()));
        }
      }
    }
    return names;
  }

  /** One query of a dashboard panel and the metric names it uses. */
  public record Query(String panel, String expr, List<String> metrics) {}

  /** Every query of every panel of {@code dashboard}. */
  public static List<Query> dashboardQueries(Path dashboard) throws IOException {
    JsonNode root = TranslationJson.mapper().readTree(Files.readString(dashboard));
    List<Query> queries = new ArrayList<>();
    for (JsonNode panel : root.get("panels")) {
      for (JsonNode target : panel.path("targets")) {
        String expr = target.get("expr").asString();
        List<String> metrics = new ArrayList<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
          metrics.add(m.group(1));
        }
        queries.add(new Query(panel.get("title").asString(), expr, metrics));
      }
    }
    return queries;
  }

  /**
   * The {@code expr} of every rule of a PrometheusRule template, as queries named by the alert. The template is read
   * as text (it is Helm, not YAML, until rendered): {@code - alert: NAME}, then {@code expr:} inline or as a
   * {@code >-} block of more-indented lines.
   */
  public static List<Query> alertQueries(Path rules) throws IOException {
    List<String> lines = Files.readAllLines(rules);
    List<Query> queries = new ArrayList<>();
    String alert = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.startsWith("- alert:")) {
        alert = line.substring("- alert:".length()).strip();
      } else if (line.startsWith("expr:") && alert != null) {
        String expr = line.substring("expr:".length()).strip();
        if (expr.equals(">-") || expr.equals(">") || expr.equals("|")) {
          int indent = lines.get(i).indexOf("expr:");
          StringBuilder block = new StringBuilder();
          while (i + 1 < lines.size() && (lines.get(i + 1).isBlank()
              || lines.get(i + 1).length() - lines.get(i + 1).stripLeading().length() > indent)) {
            block.append(lines.get(++i).strip()).append(' ');
          }
          expr = block.toString().strip();
        }
        List<String> metrics = new ArrayList<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
          metrics.add(m.group(1));
        }
        queries.add(new Query(alert, expr, metrics));
        alert = null;
      }
    }
    return queries;
  }

  /**
   * The label selectors of {@code queries} ({@code name{key="value",...}}, equality matchers) that select no sample of
   * {@code scrape}, each with its query's name: an alert on {@code gloo_resources{status="rejected"}} must find that
   * series, not merely the metric.
   */
  public static Map<String, String> unmatchedSelectors(List<Query> queries, String scrape) {
    Map<String, String> unmatched = new LinkedHashMap<>();
    for (Query q : queries) {
      Matcher m = SELECTOR.matcher(q.expr());
      while (m.find()) {
        List<String> labels = new ArrayList<>();
        Matcher pair = MATCHER.matcher(m.group(2));
        while (pair.find()) {
          labels.add(pair.group(1));
          labels.add(pair.group(2));
        }
        if (value(scrape, m.group(1), labels.toArray(String[]::new)) < 0) {
          unmatched.put(m.group(0), q.panel());
        }
      }
    }
    return unmatched;
  }

  /** Metric (and panel) names {@code queries} use that {@code seen} lacks, for one assertion. */
  public static Map<String, String> missing(List<Query> queries, Set<String> seen) {
    Map<String, String> missing = new LinkedHashMap<>();
    for (Query q : queries) {
      for (String metric : q.metrics()) {
        if (!seen.contains(metric)) {
          missing.put(metric, q.panel());
        }
      }
    }
    return missing;
  }
}
