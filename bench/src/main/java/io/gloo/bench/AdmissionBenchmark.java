package io.gloo.bench;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gloo.core.admission.Admission;
import io.gloo.core.watch.KindRegistry;
import io.gloo.core.watch.ManifestParser;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What CRD admission adds to reading manifests: parsing one file of 100 workload HTTPRoutes with admission
 * ({@code admit=true}) and with served-version conversion only ({@code admit=false}). The difference divided by 100
 * is the admission cost per route.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AdmissionBenchmark {

  @Param({"true", "false"})
  public boolean admit;

  private ManifestParser parser;
  private String file;

  @Setup
  public void setUp() {
    parser = new ManifestParser(KindRegistry.withBuiltins(), new KubernetesSerialization(),
        admit ? Admission.standard() : Admission.servedVersionsOnly());
    file = new String(new Workload(100).routesFile(0, 100, -1, 0), StandardCharsets.UTF_8);
    ManifestParser.Result result = parser.parse("routes.yaml", file);
    if (result.hasProblems() || result.resources().size() != 100) {
      throw new IllegalStateException("workload not admitted: " + result.problems());
    }
  }

  @Benchmark
  public ManifestParser.Result parseHundredRoutes() {
    return parser.parse("routes.yaml", file);
  }
}
