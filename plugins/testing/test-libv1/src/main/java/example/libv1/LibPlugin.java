package example.libv1;

import io.gloo.spi.GlooPlugin;
import io.gloo.spi.PluginContext;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyKind;
import io.gloo.spi.translate.PolicyTranslator;
import java.util.List;
import java.util.Set;
import org.apache.commons.lang3.StringUtils;

/**
 * Test plugin bundling its own commons-lang3 in lib/ (the other lib test plugin bundles another version). It reports
 * the version it sees as the {@code lib} metric's {@code version} tag and in its log, and serves a kind named after it.
 */
public final class LibPlugin implements GlooPlugin {

  /** The version of commons-lang3 this plugin's classloader resolves (its jar's Implementation-Version). */
  public static String libVersion() {
    return StringUtils.class.getPackage().getImplementationVersion();
  }

  @Override
  public void start(PluginContext context) {
    String version = libVersion();
    boolean ownCopy = StringUtils.class.getClassLoader() == LibPlugin.class.getClassLoader();
    context.metrics().increment("lib", "version", version, "own-copy", String.valueOf(ownCopy));
    context.logger().info("commons-lang3 {} ({})", version, StringUtils.capitalize("loaded"));
  }

  @Override
  public List<PolicyKind<?>> policyKinds() {
    return List.of(new PolicyKind<LibSpec>() {
      @Override
      public GroupKind groupKind() {
        return new GroupKind("example.gloo.io", "LibV1");
      }

      @Override
      public String version() {
        return "v1alpha1";
      }

      @Override
      public Class<LibSpec> specType() {
        return LibSpec.class;
      }

      @Override
      public Set<Attachment> attachments() {
        return Set.of(Attachment.REFERENCED);
      }

      @Override
      public PolicyTranslator<LibSpec> translator() {
        return new PolicyTranslator<>() {};
      }
    });
  }

  /** An empty spec. */
  public record LibSpec(String note) {}
}
