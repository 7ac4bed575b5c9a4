package io.gloo.core.watch;

import com.google.errorprone.annotations.ThreadSafe;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gloo.core.admission.Admission;
import io.gloo.core.admission.Crd;
import io.gloo.core.admission.KnownKinds;
import io.gloo.core.admission.Violation;
import io.gloo.core.store.SourceProblem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLAnchorReplayingFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Parses manifest files (multi-document YAML, or JSON) into fabric8 model objects.
 *
 * <p>Each document is read as a tree first, so that its start line is known and its {@code apiVersion}/{@code kind}
 * can be looked up in the {@link KindRegistry}; the tree is then converted with fabric8's
 * {@link KubernetesSerialization}, whose mapper knows the model's quirks (int-or-string, quantities, ...).
 *
 * <p>Rules:
 * <ul>
 *   <li>empty and comment-only documents are skipped;</li>
 *   <li>a version of a registered kind that its CRD serves is converted to the registered version (as the API
 *       server converts to its stored version; for the Gateway API the versions' schemas are the same, so
 *       conversion rewrites {@code apiVersion});</li>
 *   <li>any other kind that is not registered becomes a {@link SourceProblem} saying why ({@link KnownKinds}: an
 *       unserved version, a misspelled kind, a Gloo kind no loaded plugin serves, ...), except well-known
 *       Kubernetes kinds gloo has no use for (Deployments, ...), which are logged once per process at INFO;</li>
 *   <li>a document of a kind with a CRD ({@link Admission}: the Gateway API's, the shipped Gloo ones) that the CRD's
 *       schema or CEL rules reject is not read; each violation becomes a problem at the field's line, with the
 *       field path and the rule's message;</li>
 *   <li>a document that is not a mapping, lacks {@code apiVersion}, {@code kind} or {@code metadata.name}, or does
 *       not convert, becomes a {@link SourceProblem} (at the offending field's line, in YAML terms); the other
 *       documents of the file still load;</li>
 *   <li>a YAML syntax error becomes a {@link SourceProblem} at the error's line and column. The documents before it
 *       load; reading stops there, because after a syntax error the YAML scanner cannot tell where the next
 *       document starts with any confidence;</li>
 *   <li>namespaced kinds without {@code metadata.namespace} get {@code default}; cluster-scoped kinds never carry a
 *       namespace (as in the apiserver, which ignores it).</li>
 * </ul>
 * Messages never contain Secret values.
 *
 * <p>Instances are immutable apart from the (thread-safe) registry and can be shared between threads.
 */
@ThreadSafe
public final class ManifestParser {

  private static final Logger LOG = LoggerFactory.getLogger(ManifestParser.class);

  /** Kinds already reported as unsupported: logged once per process, not once per file or per scan. */
  private static final Set<String> REPORTED_UNSUPPORTED = ConcurrentHashMap.newKeySet();

  static final String DEFAULT_NAMESPACE = "default";

  /** Lets an unregistered kind be reported as unsupported again (once). */
  static void forgetUnsupported(String apiVersion, String kind) {
    REPORTED_UNSUPPORTED.remove(apiVersion + " " + kind);
  }

  /** The outcome of parsing one file: the resources it defines, in document order, and what was wrong with it. */
  public record Result(List<HasMetadata> resources, List<SourceProblem> problems, int unreadKinds) {
    public Result {
      resources = List.copyOf(resources);
      problems = List.copyOf(problems);
    }

    public Result(List<HasMetadata> resources, List<SourceProblem> problems) {
      this(resources, problems, 0);
    }

    /**
     * Whether the file is broken: a problem other than a document of a kind that is not read (those are reported
     * but do not make the file's other documents suspect, so its last good version is not held for them: when a
     * plugin is unloaded, its kinds' objects must go).
     */
    public boolean hasProblems() {
      return problems.size() > unreadKinds;
    }
  }

  // Anchor replaying resolves YAML aliases (*ref) to the anchored content instead of surfacing the alias name.
  // Trailing tokens are the next documents of the stream, read one tree at a time, so they are not an error.
  private final ObjectMapper yaml = YAMLMapper.builder(new YAMLAnchorReplayingFactory())
      .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  private final ObjectMapper json = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  private final KindRegistry registry;
  private final KubernetesSerialization serialization;
  private final Admission admission;

  /** A parser for the built-in kinds ({@link KindRegistry#withBuiltins()}). */
  public ManifestParser() {
    this(KindRegistry.withBuiltins());
  }

  public ManifestParser(KindRegistry registry) {
    this(registry, new KubernetesSerialization());
  }

  public ManifestParser(KindRegistry registry, KubernetesSerialization serialization) {
    this(registry, serialization, Admission.standard());
  }

  public ManifestParser(KindRegistry registry, KubernetesSerialization serialization, Admission admission) {
    this.registry = registry;
    this.serialization = serialization;
    this.admission = admission;
  }

  public KindRegistry registry() {
    return registry;
  }

  KubernetesSerialization serialization() {
    return serialization;
  }

  /** Reads and parses one file. A file that cannot be read is reported as a problem, never thrown. */
  public Result parse(Path file) {
    String source = file.toString();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return problemOnly(source, "file does not exist");
    } catch (IOException e) {
      return problemOnly(source, "cannot read file: " + e.getMessage());
    }
    return parse(source, bytes);
  }

  /** Parses file content given as bytes, which must be UTF-8. */
  Result parse(String source, byte[] bytes) {
    try {
      String content = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
      return parse(source, content);
    } catch (CharacterCodingException e) {
      return problemOnly(source, "file is not valid UTF-8");
    }
  }

  /**
   * Parses manifest text. {@code source} names it in problems and logs; a name ending in {@code .json} selects the
   * JSON reader, anything else YAML.
   */
  public Result parse(String source, String content) {
    if (!content.isEmpty() && content.charAt(0) == '\uFEFF') {
      content = content.substring(1); // a byte order mark is not content
    }
    ObjectMapper mapper = source.toLowerCase(java.util.Locale.ROOT).endsWith(".json") ? json : yaml;
    List<HasMetadata> resources = new ArrayList<>();
    List<SourceProblem> problems = new ArrayList<>();
    int[] unread = {0};
    Document.Context context = new Document.Context(source, mapper, content);
    try (JsonParser parser = mapper.createParser(content); context) {
      for (int index = 0; ; index++) {
        JsonNode document;
        TokenStreamLocation start;
        try {
          if (parser.nextToken() == null) {
            break;
          }
          start = parser.currentTokenLocation();
          document = mapper.readTree(parser);
        } catch (JacksonException e) {
          problems.add(syntaxProblem(source, e));
          break;
        }
        readDocument(new Document(context, index, start.getLineNr(), start.getColumnNr()), document, resources,
            problems, unread);
      }
    } catch (JacksonException e) {
      problems.add(syntaxProblem(source, e)); // thrown while opening or closing the stream
    }
    return new Result(resources, problems, unread[0]);
  }

  private void readDocument(Document doc, JsonNode document, List<HasMetadata> resources,
      List<SourceProblem> problems, int[] unread) {
    String source = doc.context().source();
    int line = doc.line();
    int column = doc.column();
    if (document == null || document.isNull() || document.isMissingNode()) {
      return; // empty or comment-only document
    }
    if (!document.isObject()) {
      problems.add(new SourceProblem(source, line, column,
          "document is a " + document.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + ", not a mapping"));
      return;
    }
    ObjectNode object = (ObjectNode) document;
    Optional<String> apiVersion = text(object, "apiVersion");
    Optional<String> kind = text(object, "kind");
    if (apiVersion.isEmpty() || kind.isEmpty()) {
      problems.add(new SourceProblem(source, line, column,
          "missing " + (apiVersion.isEmpty() ? "apiVersion" : "kind") + ": every document needs apiVersion and kind"));
      return;
    }
    String group = KindRegistry.group(apiVersion.get());
    String version = apiVersion.get().substring(apiVersion.get().indexOf('/') + 1);
    Optional<Crd> crd = admission.catalog().find(group, kind.get());
    Optional<Crd.Version> served = crd.flatMap(c -> c.served(version));
    Optional<KindRegistry.KindInfo> info = registry.lookup(apiVersion.get(), kind.get());
    if (info.isEmpty() && served.isPresent()) {
      info = convertedVersion(crd.get());
    }
    if (info.isEmpty()) {
      Optional<String> why = KnownKinds.whyNotServed(apiVersion.get(), kind.get(), admission.catalog(),
          registry.kindsOf(group));
      if (why.isPresent()) {
        problems.add(new SourceProblem(source, line, column, why.get()));
        unread[0]++;
      } else if (REPORTED_UNSUPPORTED.add(apiVersion.get() + " " + kind.get())) {
        LOG.info("ignoring {} {}: gloo does not read this kind (first seen in {})", apiVersion.get(), kind.get(),
            source);
      }
      return;
    }
    String what = kind.get() + " document";
    JsonNode metadata = object.get("metadata");
    if (metadata == null || !metadata.isObject()) {
      problems.add(new SourceProblem(source, line, column, what + ": missing metadata (a mapping with a name)"));
      return;
    }
    if (text(metadata, "name").isEmpty()) {
      problems.add(new SourceProblem(source, line, column, what + ": missing metadata.name"));
      return;
    }
    ObjectNode meta = (ObjectNode) metadata;
    if (info.get().namespaced()) {
      if (text(meta, "namespace").isEmpty()) {
        meta.put("namespace", DEFAULT_NAMESPACE);
      }
    } else {
      meta.remove("namespace");
    }
    String name = kind.get() + " " + (info.get().namespaced() ? text(meta, "namespace").orElse("") + "/" : "")
        + text(meta, "name").orElse("");
    if (served.isPresent()) {
      List<Violation> violations = admission.admit(object, crd.get(), served.get());
      if (!violations.isEmpty()) {
        for (Violation v : violations) {
          problems.add(doc.problemAt(v.path(), name + ": " + v));
        }
        return;
      }
    }
    object.put("apiVersion", info.get().apiVersion()); // the version read (no-op unless converted)
    try {
      resources.add(serialization.convertValue(object, info.get().type()));
    } catch (RuntimeException e) {
      ConversionProblems.Located located = ConversionProblems.describe(e, object, info.get().type());
      problems.add(doc.problemAt(located.path(), name + ": " + located.message()));
    }
  }

  /**
   * The registered version a served, unregistered version of {@code crd} converts to: the CRD's storage version if
   * registered, else another registered version the CRD serves.
   */
  private Optional<KindRegistry.KindInfo> convertedVersion(Crd crd) {
    List<KindRegistry.KindInfo> registered = registry.versionsOf(crd.group(), crd.kind());
    Optional<KindRegistry.KindInfo> storage = registered.stream()
        .filter(i -> i.apiVersion().equals(crd.apiVersion(crd.storageVersion()))).findFirst();
    if (storage.isPresent()) {
      return storage;
    }
    for (String v : crd.servedVersions()) {
      for (KindRegistry.KindInfo i : registered) {
        if (i.apiVersion().equals(crd.apiVersion(v))) {
          return Optional.of(i);
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<String> text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isString() && !value.asString().isBlank()
        ? Optional.of(value.asString()) : Optional.empty();
  }

  /**
   * Uses the YAML scanner's own problem mark when there is one: Jackson's location for a wrapped scanner error is
   * where the parser stood, which can be lines earlier. Only the problem text is kept, not the snippet of the file
   * snakeyaml appends (it could show a Secret value).
   */
  private static SourceProblem syntaxProblem(String source, JacksonException e) {
    MarkedYamlEngineException yamlError = find(e, MarkedYamlEngineException.class);
    if (yamlError != null) {
      Optional<Mark> mark = yamlError.getProblemMark().or(yamlError::getContextMark);
      String message = "invalid YAML: " + yamlError.getProblem()
          + (yamlError.getContext() == null ? "" : " (" + yamlError.getContext() + ")");
      return new SourceProblem(source, mark.map(m -> m.getLine() + 1).orElse(0),
          mark.map(m -> m.getColumn() + 1).orElse(0), message);
    }
    TokenStreamLocation location = e.getLocation();
    int line = location == null ? 0 : Math.max(location.getLineNr(), 0);
    int column = location == null ? 0 : Math.max(location.getColumnNr(), 0);
    String kind = source.toLowerCase(java.util.Locale.ROOT).endsWith(".json") ? "invalid JSON: " : "invalid YAML: ";
    return new SourceProblem(source, line, column, kind + firstLine(e.getOriginalMessage()));
  }

  static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).strip();
  }

  private static Result problemOnly(String source, String message) {
    return new Result(List.of(), List.of(new SourceProblem(source, 0, 0, message)));
  }
}
