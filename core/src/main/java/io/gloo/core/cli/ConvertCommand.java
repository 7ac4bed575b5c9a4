package io.gloo.core.cli;

import io.gloo.core.convert.ConvertedManifests;
import io.gloo.core.convert.EdgeConversion;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code gloo convert}: Gloo Edge resources (Gateway, VirtualService, RouteTable, UpstreamGroup) to Gateway API
 * resources plus RouteOption / VirtualHostOption; everything else passes through. What has no Gateway API form is
 * printed as a comment at the resource and summarised on stderr.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
    description = {"Convert Gloo Edge API manifests (gateway.solo.io/v1 Gateway, VirtualService, RouteTable;",
        "gloo.solo.io/v1 UpstreamGroup) to Gateway API resources: one Gateway per Edge proxy, an HTTPRoute per",
        "VirtualService and RouteTable (delegation as HTTPRoute backendRefs), RouteOption and VirtualHostOption for",
        "options, ReferenceGrants for cross-namespace references. Other resources pass through unchanged.",
        "What cannot be expressed is printed as a '# gloo convert:' comment at the resource and counted on stderr.",
        "Exit status: 0 on success, 1 when an input cannot be read."})
final class ConvertCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = {"-f", "--file"}, required = true, arity = "1..*",
      description = "Manifest files or directories (read recursively).")
  List<Path> paths;

  @Option(names = "--to", defaultValue = "gateway-api", converter = Target.class,
      description = "What to convert to; only gateway-api (default: ${DEFAULT-VALUE}).")
  String to;

  @Option(names = {"-o", "--output"}, defaultValue = "yaml", converter = Output.JsonOrYaml.class,
      description = "yaml (with the notes as comments) or json (a List; notes on stderr only). Default:"
          + " ${DEFAULT-VALUE}.")
  String output;

  @Override
  public Integer call() throws IOException {
    EdgeConversion.Result result = EdgeConversion.convert(ConvertedManifests.read(paths));
    PrintWriter out = spec.commandLine().getOut();
    out.print(output.equals("json") ? Output.render(ConvertedManifests.list(result), "json")
        : ConvertedManifests.yaml(result));
    out.flush();
    PrintWriter err = spec.commandLine().getErr();
    if (output.equals("json")) {
      result.notes().all().forEach(n -> err.println("# gloo convert: " + n));
    }
    err.println("gloo convert: " + result.converted() + " Edge resources converted, " + result.resources().size()
        + " resources written, " + result.notes().count() + " note" + (result.notes().count() == 1 ? "" : "s")
        + (result.notes().count() == 0 ? "" : output.equals("json") ? " (above)" : " (comments at the resources)"));
    err.flush();
    return 0;
  }

  /** {@code --to}: only {@code gateway-api}. */
  static final class Target implements picocli.CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (!value.equals("gateway-api")) {
        throw new TypeConversionException("'" + value + "' is not a conversion target (gateway-api)");
      }
      return value;
    }
  }
}
