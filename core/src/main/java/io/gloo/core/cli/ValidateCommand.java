package io.gloo.core.cli;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gloo.core.admission.Admission;
import io.gloo.core.admission.Crd;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.store.SourceProblem;
import io.gloo.core.watch.DirectorySource;
import io.gloo.core.watch.KindRegistry;
import io.gloo.core.watch.ManifestParser;
import io.gloo.core.watch.UnservedGateways;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gloo validate}: admission alone, as {@code kubectl apply --dry-run=server} against an API server with the
 * Gateway API and Gloo CRDs would do it; opens no port and translates nothing.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = {"Check manifests as an API server with the Gateway API (v1.6.1) and Gloo CRDs would admit them:",
        "schemas, CEL rules, served versions, parse errors and kinds gloo does not read. Prints one line per",
        "problem: FILE:LINE: KIND NAMESPACE/NAME: FIELD: MESSAGE.",
        "Gloo kinds are checked against the Gloo CRDs this distribution ships (the plugins expose no schemas).",
        "Exit status: 0 when every object is admitted, 1 when there is a problem."})
final class ValidateCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = {"-f", "--file"}, required = true, arity = "1..*",
      description = "Manifest files or directories (read recursively); repeatable.")
  List<Path> paths;

  @Option(names = "--max-manifest-bytes", defaultValue = "16MiB", paramLabel = "SIZE", converter = ByteSizeConverter.class,
      description = "Largest manifest file read (bytes, KiB, MiB); a larger one is reported, not read"
          + " (default: ${DEFAULT-VALUE}).")
  long maxManifestBytes;

  @Override
  public Integer call() {
    ManifestParser parser = new ManifestParser(registry(), new KubernetesSerialization(), Admission.standard());
    ResourceSnapshot snapshot = DirectorySource.load(paths, parser, maxManifestBytes);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int problems = 0;
    for (SourceProblem p : snapshot.problems()) {
      String line = p.line() > 0 ? p.source() + ":" + p.line() + ": " + p.message() : p.source() + ": " + p.message();
      if (UnservedGateways.isUnservedGateway(p)) {
        // not a rejection: the class may come from elsewhere (Gloo's install creates gloo-gateway); say it, pass
        err.println("note: " + line);
      } else {
        out.println(line);
        problems++;
      }
    }
    out.flush();
    err.println(snapshot.size() + " objects admitted, " + problems + " problems");
    err.flush();
    return problems == 0 ? 0 : 1;
  }

  /** The built-in kinds plus every Gloo kind whose CRD ships, as the enterprise plugins register them. */
  static KindRegistry registry() {
    KindRegistry registry = KindRegistry.withBuiltins();
    for (Crd crd : Admission.standard().catalog().all()) {
      if (registry.versionsOf(crd.group(), crd.kind()).isEmpty()) {
        registry.register(crd.apiVersion(crd.storageVersion()), crd.kind(), GenericKubernetesResource.class,
            crd.namespaced());
      }
    }
    return registry;
  }
}
