package io.gloo.core.cli;

import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.store.SourceProblem;
import io.gloo.core.translate.TranslationJson;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.gloo.core.watch.DirectorySource;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ObjectNode;

/** {@code gloo translate}: offline translation; opens no port. */
@Command(name = "translate", mixinStandardHelpOptions = true,
    description = {"Translate manifests offline and print, per Gateway, the Envoy listeners, route configurations,",
        "clusters and endpoints (Envoy's JSON mapping), and the status of every input resource. Opens no port.",
        "Exit status: 0 on success, 1 when an input file has problems (they are printed on stderr)."})
final class TranslateCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = {"-f", "--file"}, required = true, arity = "1..*",
      description = "Manifest files or directories (read recursively).")
  List<Path> paths;

  @Option(names = {"-o", "--output"}, defaultValue = "yaml", converter = Output.JsonOrYaml.class,
      description = "json or yaml (default: ${DEFAULT-VALUE}).")
  String output;

  @Override
  public Integer call() {
    ResourceSnapshot snapshot = DirectorySource.load(paths);
    for (SourceProblem p : snapshot.problems()) {
      spec.commandLine().getErr().println("problem: " + p);
    }
    TranslationResult result = new Translator().translate(snapshot);
    ObjectNode rendered = TranslationJson.render(result);
    spec.commandLine().getOut().print(Output.render(rendered, output));
    spec.commandLine().getOut().flush();
    spec.commandLine().getErr().flush();
    return snapshot.problems().isEmpty() ? 0 : 1;
  }
}
