package io.gloo.core.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Test;

class JettyStartupTest {

  /** The value set is the one Jetty's MemoryUtils would compute by asking the platform MBean server. */
  @Test
  void referencesPerCacheLineIsWhatJettyWouldComputeItself() throws Exception {
    String before = System.getProperty(JettyStartup.REFERENCES_PER_CACHE_LINE);
    try {
      System.clearProperty(JettyStartup.REFERENCES_PER_CACHE_LINE);
      JettyStartup.tellReferenceSize();
      CompositeData option = (CompositeData) ManagementFactory.getPlatformMBeanServer().invoke(
          ObjectName.getInstance("com.sun.management:type=HotSpotDiagnostic"), "getVMOption",
          new Object[] {"UseCompressedOops"}, new String[] {"java.lang.String"});
      int jettys = Boolean.parseBoolean((String) option.get("value")) ? 64 / 4 : 64 / 8;
      assertEquals(String.valueOf(jettys), System.getProperty(JettyStartup.REFERENCES_PER_CACHE_LINE));

      System.setProperty(JettyStartup.REFERENCES_PER_CACHE_LINE, "3");
      JettyStartup.tellReferenceSize();
      assertEquals("3", System.getProperty(JettyStartup.REFERENCES_PER_CACHE_LINE), "an operator's value is kept");
    } finally {
      if (before == null) {
        System.clearProperty(JettyStartup.REFERENCES_PER_CACHE_LINE);
      } else {
        System.setProperty(JettyStartup.REFERENCES_PER_CACHE_LINE, before);
      }
    }
  }
}
