package io.gloo.core.plugin;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;

/**
 * The classloader of one plugin. It shares exactly the packages in {@link #SHARED_PACKAGES} with core (the
 * contract between core and plugins); everything else comes from the plugin's archive alone.
 *
 * <ul>
 *   <li>Shared packages: parent-first — from core's classloader, so a plugin gets the very same
 *       {@code io.gloo.spi.GlooPlugin} or {@code com.google.protobuf.Message} {@code Class} objects as core; only a
 *       class core does not have is looked for in the archive.</li>
 *   <li>Platform classes ({@code java.}, {@code javax.}, {@code jdk.}, {@code sun.}, ... whatever the JDK's platform
 *       classloader defines): from the platform, then the archive.</li>
 *   <li>Everything else: from the archive only. There is no fallback to core's class path: a plugin cannot see
 *       {@code io.gloo.core}, picocli, fabric8, Guava or any other library core happens to have.</li>
 * </ul>
 * Resources follow the same rule: for a shared package core's resources come first, then the archive's; for
 * anything else only the archive's (and the platform's). In particular {@code META-INF/services/*} is the plugin's
 * own, so {@link java.util.ServiceLoader} only sees the plugin's providers.
 */
public final class PluginClassLoader extends URLClassLoader {

  static {
    ClassLoader.registerAsParallelCapable();
  }

  /**
   * THE CONTRACT: package prefixes a plugin shares with core (loaded from core's classloader). Adding a prefix
   * widens the SPI; removing one breaks plugins. Keep in sync with the SPI's package documentation.
   */
  public static final List<String> SHARED_PACKAGES = List.of(
      "io.gloo.spi.",                          // the plugin SPI
      "io.envoyproxy.",                        // Envoy API protos (io.envoyproxy.envoy.*), includes io.envoyproxy.pgv.
      "io.envoyproxy.pgv.",                    // protoc-gen-validate (listed for clarity; covered above)
      "com.github.xds.",                       // xDS core protos
      "com.google.protobuf.",                  // protobuf runtime and well-known types
      "com.google.api.",                       // googleapis annotations used by Envoy's protos
      "com.google.rpc.",                       // google.rpc.Status
      "com.google.type.",                      // google.type.*
      "udpa.",                                 // UDPA annotations
      "xds.",                                  // xds annotations
      "tools.jackson.",                        // Jackson 3 (core, databind, YAML)
      "com.fasterxml.jackson.annotation.",     // Jackson annotations (shared by Jackson 2 and 3)
      "org.slf4j.",                            // logging API
      "io.grpc.");                             // gRPC API (to register services)

  private final String pluginId;
  private final ClassLoader core;
  private final ClassLoader platform;

  /**
   * @param urls the archive's class path: {@code classes/} and {@code lib/*.jar} of an expanded zip, or a jar
   * @param core the loader the shared packages come from (core's own)
   */
  public PluginClassLoader(String pluginId, URL[] urls, ClassLoader core) {
    super("plugin:" + pluginId, urls, ClassLoader.getPlatformClassLoader());
    this.pluginId = Objects.requireNonNull(pluginId, "pluginId");
    this.core = Objects.requireNonNull(core, "core");
    this.platform = ClassLoader.getPlatformClassLoader();
  }

  public String pluginId() {
    return pluginId;
  }

  /** Whether a class (binary name) or resource (path) belongs to a package shared with core. */
  public static boolean isShared(String classOrResourceName) {
    String name = classOrResourceName.startsWith("/") ? classOrResourceName.substring(1) : classOrResourceName;
    name = name.replace('/', '.');
    for (String prefix : SHARED_PACKAGES) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    synchronized (getClassLoadingLock(name)) {
      Class<?> c = findLoadedClass(name);
      if (c == null) {
        c = isShared(name) ? loadShared(name) : loadOwn(name);
      }
      if (resolve) {
        resolveClass(c);
      }
      return c;
    }
  }

  private Class<?> loadShared(String name) throws ClassNotFoundException {
    try {
      return core.loadClass(name);
    } catch (ClassNotFoundException e) {
      return findClass(name); // e.g. a generated Envoy message newer than core's: the archive may carry it
    }
  }

  private Class<?> loadOwn(String name) throws ClassNotFoundException {
    try {
      return platform.loadClass(name);
    } catch (ClassNotFoundException e) {
      try {
        return findClass(name);
      } catch (ClassNotFoundException notInArchive) {
        throw new ClassNotFoundException(name + " (plugin " + pluginId + ": not in its archive, and not in a"
            + " package shared with core)", notInArchive);
      }
    }
  }

  @Override
  public URL getResource(String name) {
    if (isShared(name)) {
      URL url = core.getResource(name);
      return url != null ? url : findResource(name);
    }
    URL url = findResource(name);
    return url != null ? url : platform.getResource(name);
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    List<URL> urls = new ArrayList<>();
    if (isShared(name)) {
      urls.addAll(Collections.list(core.getResources(name)));
      urls.addAll(Collections.list(findResources(name)));
    } else {
      urls.addAll(Collections.list(findResources(name)));
      urls.addAll(Collections.list(platform.getResources(name)));
    }
    return Collections.enumeration(urls);
  }

  @Override
  public String toString() {
    return "PluginClassLoader[" + pluginId + "]";
  }
}
