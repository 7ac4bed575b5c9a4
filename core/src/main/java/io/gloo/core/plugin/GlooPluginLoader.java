package io.gloo.core.plugin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginLoader;

/**
 * PF4J {@link PluginLoader} creating a {@link PluginClassLoader} for one plugin. Applies to
 * <ul>
 *   <li>an expanded plugin zip (PF4J's layout): a directory with {@code classes/} and/or {@code lib/*.jar};</li>
 *   <li>a plain plugin jar (its classes and manifest; no bundled libraries).</li>
 * </ul>
 */
public final class GlooPluginLoader implements PluginLoader {

  private final ClassLoader core;

  /** @param core the classloader shared packages come from (core's own) */
  public GlooPluginLoader(ClassLoader core) {
    this.core = core;
  }

  @Override
  public boolean isApplicable(Path pluginPath) {
    if (Files.isDirectory(pluginPath)) {
      return Files.isDirectory(pluginPath.resolve("classes")) || Files.isDirectory(pluginPath.resolve("lib"));
    }
    return Files.isRegularFile(pluginPath) && pluginPath.getFileName().toString().toLowerCase().endsWith(".jar");
  }

  @Override
  public PluginClassLoader loadPlugin(Path pluginPath, PluginDescriptor descriptor) {
    return new PluginClassLoader(descriptor.getPluginId(), classPath(pluginPath), core);
  }

  /** {@code classes/} then {@code lib/*.jar} (sorted by name) of a directory; the jar itself otherwise. */
  static URL[] classPath(Path pluginPath) {
    List<URL> urls = new ArrayList<>();
    try {
      if (Files.isDirectory(pluginPath)) {
        Path classes = pluginPath.resolve("classes");
        if (Files.isDirectory(classes)) {
          urls.add(url(classes));
        }
        Path lib = pluginPath.resolve("lib");
        if (Files.isDirectory(lib)) {
          try (Stream<Path> jars = Files.list(lib)) {
            for (Path jar : jars.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList()) {
              urls.add(url(jar));
            }
          }
        }
      } else {
        urls.add(url(pluginPath));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + pluginPath + ": " + e.getMessage(), e);
    }
    return urls.toArray(URL[]::new);
  }

  private static URL url(Path path) throws MalformedURLException {
    return path.toUri().toURL();
  }
}
