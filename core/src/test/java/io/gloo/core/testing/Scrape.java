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
