package io.gloo.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gloo.core.plugin.LoadedPlugin;
import io.gloo.core.plugin.PluginManager;
import io.gloo.core.watch.KindRegistry;
import io.gloo.spi.policy.PolicyKind;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shipped CRDs (dist/src/install/crds) against the kinds the enterprise plugins actually serve: every kind a
 * plugin declares has a namespaced CRD with the same group, kind and a served, stored version of the same name.
 */
class CrdsMatchPluginKindsTest {

  private static Path crdDir() {
    for (Path p : List.of(Path.of("dist/src/install/crds"), Path.of("../dist/src/install/crds"))) {
      if (Files.isDirectory(p)) {
        return p;
      }
    }
    throw new AssertionError("dist/src/install/crds not found");
  }

  @Test
  void everyPluginKindHasAMatchingCrd() throws Exception {
    Map<String, CustomResourceDefinition> crds = new HashMap<>();
    KubernetesSerialization yaml = new KubernetesSerialization();
    try (Stream<Path> files = Files.list(crdDir())) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        CustomResourceDefinition crd = yaml.unmarshal(Files.readString(f), CustomResourceDefinition.class);
        crds.put(crd.getSpec().getGroup() + "/" + crd.getSpec().getNames().getKind(), crd);
      }
    }
    Path plugins = Path.of(System.getProperty("gloo.it.plugins", "target/plugins-enterprise"));
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (PluginManager manager = new PluginManager(EnterprisePlugins.options(plugins), KindRegistry.withBuiltins(),
        meters)) {
      List<LoadedPlugin> started = manager.start().started();
      assertEquals(5, started.size(), "the enterprise plugins: " + started);
      for (LoadedPlugin plugin : started) {
        assertFalse(plugin.kinds().isEmpty(), plugin.id());
        for (PolicyKind<?> kind : plugin.kinds()) {
          CustomResourceDefinition crd = crds.get(kind.groupKind().group() + "/" + kind.groupKind().kind());
          assertNotNull(crd, "no CRD for " + kind.groupKind() + " served by plugin " + plugin.id());
          assertEquals("Namespaced", crd.getSpec().getScope(), kind.groupKind().toString());
          assertTrue(crd.getSpec().getVersions().stream().anyMatch(v -> v.getName().equals(kind.version())
              && Boolean.TRUE.equals(v.getServed()) && Boolean.TRUE.equals(v.getStorage())),
              kind.groupKind() + " " + kind.version() + " is not a served, stored version of its CRD");
        }
      }
    }
  }
}
