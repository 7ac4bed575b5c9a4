package io.gloo.core.plugin;

import static io.gloo.core.plugin.TestPlugins.BAD_REQUIRES;
import static io.gloo.core.plugin.TestPlugins.HEADERS;
import static io.gloo.core.plugin.TestPlugins.LIBV1;
import static io.gloo.core.plugin.TestPlugins.LIBV2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.gloo.core.watch.KindRegistry;
import io.gloo.spi.GlooPlugin;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.PolicyKind;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ref.WeakReference;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginManagerTest {

  @TempDir
  Path temp;

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final KindRegistry kinds = KindRegistry.withBuiltins();
  private PluginManager manager;

  @AfterEach
  void closeManager() {
    if (manager != null) {
      manager.close();
    }
  }

  private Path pluginsDir() {
    return temp.resolve("plugins");
  }

  private PluginManager manager(Set<String> selection, Map<String, Map<String, String>> config) throws IOException {
    manager = new PluginManager(new PluginManager.Options(pluginsDir(), selection, config, temp.resolve("work"),
        Duration.ofMillis(50)), kinds, meters);
    return manager;
  }

  private PluginManager manager() throws IOException {
    return manager(Set.of(), Map.of());
  }

  @Test
  void loadsRealArchivesAndListsTheBadRequiresPluginAsFailed() throws IOException {
    for (String id : List.of(HEADERS, LIBV1, LIBV2, BAD_REQUIRES)) {
      TestPlugins.install(id, pluginsDir());
    }
    LoadedPlugins plugins = manager().rescan();

    assertEquals(List.of(BAD_REQUIRES, HEADERS, LIBV1, LIBV2), plugins.plugins().stream().map(LoadedPlugin::id).toList());
    LoadedPlugin bad = plugins.get(BAD_REQUIRES).orElseThrow();
    assertEquals(PluginState.FAILED, bad.state());
    assertEquals(">=99.0.0", bad.requires());
    assertEquals("Plugin-Requires >=99.0.0 excludes SPI version " + io.gloo.spi.SpiVersion.CURRENT + "", bad.failure());
    assertTrue(bad.kinds().isEmpty());
    assertNull(bad.classLoader());

    LoadedPlugin headers = plugins.get(HEADERS).orElseThrow();
    assertEquals(PluginState.STARTED, headers.state(), headers.describeState());
    assertEquals("0.1.0-SNAPSHOT", headers.version());
    assertEquals(">=0.1.0 & <1.0.0", headers.requires());
    PolicyKind<?> kind = headers.kinds().get(0);
    assertEquals("example.gloo.io/ResponseHeaders", kind.groupKind().toString());
    assertEquals("v1alpha1", kind.version());
    assertEquals(Set.of(Attachment.EXTENSION_REF, Attachment.TARGET_REF), kind.attachments());

    KindRegistry.KindInfo info = kinds.lookup("example.gloo.io/v1alpha1", "ResponseHeaders").orElseThrow();
    assertEquals(GenericKubernetesResource.class, info.type());
    assertTrue(info.namespaced());
    assertTrue(kinds.lookup("example.gloo.io/v1alpha1", "LibV1").isPresent());

    // the work directory holds the expanded archives; the plugins directory is only read
    try (Stream<Path> files = Files.list(pluginsDir())) {
      assertEquals(4, files.count());
    }
  }

  @Test
  void pluginClassLoaderSharesOnlyTheContractPackages() throws Exception {
    TestPlugins.install(HEADERS, pluginsDir());
    manager().rescan();
    ClassLoader loader = manager.classLoader(HEADERS);
    assertNotNull(loader);

    assertThrows(ClassNotFoundException.class, () -> loader.loadClass("io.gloo.core.server.GlooServer"));
    assertThrows(ClassNotFoundException.class, () -> loader.loadClass("picocli.CommandLine"));
    assertThrows(ClassNotFoundException.class, () -> loader.loadClass("com.google.common.collect.ImmutableList"));
    assertNull(loader.getResource("io/gloo/core/server/GlooServer.class"));
    assertSame(GlooPlugin.class, loader.loadClass("io.gloo.spi.GlooPlugin"));
    assertSame(com.google.protobuf.Message.class, loader.loadClass("com.google.protobuf.Message"));
    assertSame(io.envoyproxy.envoy.config.route.v3.Route.class,
        loader.loadClass("io.envoyproxy.envoy.config.route.v3.Route"));
    assertSame(org.slf4j.Logger.class, loader.loadClass("org.slf4j.Logger"));
    assertSame(io.grpc.BindableService.class, loader.loadClass("io.grpc.BindableService"));
    assertSame(String.class, loader.loadClass("java.lang.String"));
    assertSame(loader, loader.loadClass("example.headers.HeadersPlugin").getClassLoader());

    // what the plugin itself saw in start(): core-only classes invisible, its own loader as TCCL
    Counter started = meters.find("gloo.plugin.started").tag("plugin", HEADERS).counter();
    assertNotNull(started);
    assertEquals("plugin", started.getId().getTag("tccl"));
    assertEquals("false", started.getId().getTag("core-visible"));
    assertEquals("false", started.getId().getTag("picocli-visible"));
  }

  @Test
  void pluginsBundlingDifferentLibraryVersionsEachSeeTheirOwn() throws Exception {
    TestPlugins.install(LIBV1, pluginsDir());
    TestPlugins.install(LIBV2, pluginsDir());
    manager().rescan();

    assertEquals("3.11", libTag(LIBV1, "version"));
    assertEquals("3.17.0", libTag(LIBV2, "version"));
    assertEquals("true", libTag(LIBV1, "own-copy"));
    assertEquals("true", libTag(LIBV2, "own-copy"));
    Class<?> v1 = manager.classLoader(LIBV1).loadClass("org.apache.commons.lang3.StringUtils");
    Class<?> v2 = manager.classLoader(LIBV2).loadClass("org.apache.commons.lang3.StringUtils");
    assertNotSame(v1, v2);
    assertEquals("3.11", v1.getPackage().getImplementationVersion());
    assertEquals("3.17.0", v2.getPackage().getImplementationVersion());
  }

  private String libTag(String pluginId, String tag) {
    Counter lib = meters.find("gloo.plugin.lib").tag("plugin", pluginId).counter();
    assertNotNull(lib, "no lib metric from " + pluginId);
    return lib.getId().getTag(tag);
  }

  @Test
  void hotAddThenRemoveUnloadsThePluginAndItsClassLoaderIsCollected() throws Exception {
    LinkedBlockingQueue<LoadedPlugins> events = new LinkedBlockingQueue<>();
    manager().addListener(events::add);
    assertTrue(manager.start().isEmpty());

    Path archive = TestPlugins.install(LIBV1, pluginsDir());
    awaitEvent(events, p -> p.get(LIBV1).map(LoadedPlugin::started).orElse(false));
    WeakReference<ClassLoader> loader = new WeakReference<>(manager.classLoader(LIBV1));
    assertNotNull(loader.get());
    assertTrue(kinds.lookup("example.gloo.io/v1alpha1", "LibV1").isPresent());

    Files.delete(archive);
    awaitEvent(events, LoadedPlugins::isEmpty);
    events.clear();
    assertTrue(manager.plugins().isEmpty());
    assertNull(manager.classLoader(LIBV1));
    assertFalse(kinds.lookup("example.gloo.io/v1alpha1", "LibV1").isPresent());
    assertNull(meters.find("gloo.plugin.lib").tag("plugin", LIBV1).counter(), "meters removed on unload");
    try (Stream<Path> work = Files.list(temp.resolve("work"))) {
      assertEquals(List.of(), work.toList(), "expanded archive deleted");
    }
    assertCollected(loader);
  }

  static void assertCollected(WeakReference<?> ref) throws InterruptedException {
    for (int attempt = 0; attempt < 50 && ref.get() != null; attempt++) {
      System.gc();
      byte[][] pressure = new byte[16][];
      for (int i = 0; i < pressure.length; i++) {
        pressure[i] = new byte[1 << 20];
      }
      Thread.sleep(50);
    }
    assertNull(ref.get(), "the unloaded plugin's classloader is still strongly reachable");
  }

  private static LoadedPlugins awaitEvent(LinkedBlockingQueue<LoadedPlugins> events, Predicate<LoadedPlugins> wanted)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      LoadedPlugins event = events.poll(100, TimeUnit.MILLISECONDS);
      if (event != null && wanted.test(event)) {
        return event;
      }
    }
    throw new AssertionError("no matching plugin change within 15 s");
  }

  @Test
  void replacedArchiveIsUnloadedAndLoadedAgain() throws Exception {
    Path archive = TestPlugins.install(HEADERS, pluginsDir());
    manager().rescan();
    ClassLoader first = manager.classLoader(HEADERS);
    Files.setLastModifiedTime(archive, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
    LoadedPlugins after = manager.rescan();
    ClassLoader second = manager.classLoader(HEADERS);
    assertTrue(after.get(HEADERS).orElseThrow().started());
    assertNotNull(second);
    assertNotSame(first, second);
    assertThrows(ClassNotFoundException.class, () -> first.loadClass("example.headers.HeadersPlugin$Echo"),
        "the old classloader is closed");
    assertTrue(kinds.lookup("example.gloo.io/v1alpha1", "ResponseHeaders").isPresent());
  }

  @Test
  void duplicateIdFailsUntilTheOtherArchiveGoes() throws Exception {
    Path a = TestPlugins.install(HEADERS, pluginsDir(), "a.zip");
    TestPlugins.install(HEADERS, pluginsDir(), "b.zip");
    LoadedPlugins plugins = manager().rescan();
    assertEquals(1, plugins.started().size());
    LoadedPlugin failed = plugins.plugins().stream().filter(p -> !p.started()).findFirst().orElseThrow();
    assertEquals("duplicate Plugin-Id: already loaded from a.zip", failed.failure());
    Files.delete(a);
    plugins = manager.rescan();
    assertEquals(1, plugins.plugins().size());
    assertTrue(plugins.get(HEADERS).orElseThrow().started());
  }

  @Test
  void disabledTxtAndSelectionTurnPluginsOff() throws Exception {
    TestPlugins.install(HEADERS, pluginsDir());
    TestPlugins.install(LIBV1, pluginsDir());
    TestPlugins.install(LIBV2, pluginsDir());
    Files.writeString(pluginsDir().resolve("disabled.txt"), "# off\n" + LIBV2 + "\n");
    LoadedPlugins plugins = manager(Set.of(HEADERS, LIBV2), Map.of()).rescan();
    assertEquals(PluginState.STARTED, plugins.get(HEADERS).orElseThrow().state());
    assertEquals("disabled: not selected by --plugins", plugins.get(LIBV1).orElseThrow().describeState());
    assertEquals("disabled: disabled by enabled.txt/disabled.txt", plugins.get(LIBV2).orElseThrow().describeState());
    assertFalse(kinds.lookup("example.gloo.io/v1alpha1", "LibV2").isPresent());

    Files.writeString(pluginsDir().resolve("disabled.txt"), "");
    plugins = manager.rescan();
    assertEquals(PluginState.STARTED, plugins.get(LIBV2).orElseThrow().state());
  }

  @Test
  void grpcServiceRegisteredByAPluginAnswersUntilThePluginIsUnloaded() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path archive = TestPlugins.install(HEADERS, pluginsDir());
    manager(Set.of(), Map.of(HEADERS, Map.of("grpc.port", String.valueOf(port)))).rescan();
    assertTrue(manager.plugins().get(HEADERS).orElseThrow().started());

    WeakReference<ClassLoader> loader = new WeakReference<>(manager.classLoader(HEADERS));
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      assertEquals("hello tccl=plugin", echo(channel, "hello"));
      assertEquals("{\"tccl\":\"plugin\"}", manager.adminViews().render(HEADERS, "tccl").orElseThrow(),
          "an admin view runs with its plugin's classloader");
      Files.delete(archive);
      manager.rescan();
      assertTrue(manager.adminViews().render(HEADERS, "tccl").isEmpty(), "unloaded with its plugin");
      assertCollected(loader); // nothing in the gRPC server (handlers, Netty threads' TCCL) pins the plugin
      StatusRuntimeException gone = assertThrows(StatusRuntimeException.class, () -> echo(channel, "again"));
      assertTrue(Set.of(io.grpc.Status.Code.UNAVAILABLE, io.grpc.Status.Code.UNIMPLEMENTED)
          .contains(gone.getStatus().getCode()), gone.getStatus().toString());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static String echo(ManagedChannel channel, String text) {
    MethodDescriptor.Marshaller<byte[]> bytes = new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(byte[] value) {
        return new ByteArrayInputStream(value);
      }

      @Override
      public byte[] parse(InputStream stream) {
        try {
          return stream.readAllBytes();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
    MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("test.Echo/Echo")
        .setRequestMarshaller(bytes).setResponseMarshaller(bytes).build();
    byte[] answer = ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT.withDeadlineAfter(5,
        TimeUnit.SECONDS), text.getBytes(StandardCharsets.UTF_8));
    return new String(answer, StandardCharsets.UTF_8);
  }

  @Test
  void pluginConfigIsParsedById() {
    assertEquals(Map.of("a", Map.of("x.y", "1=2"), "b", Map.of("k", "")),
        PluginManager.parseConfig(List.of("a.x.y=1=2", "b.k=")));
    assertThrows(IllegalArgumentException.class, () -> PluginManager.parseConfig(List.of("nodot=1")));
  }
}
