package io.gloo.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.gloo.core.evaluate.RouteDecision;
import io.gloo.core.evaluate.RouteEvaluator;
import io.gloo.core.evaluate.TestRequest;
import io.gloo.core.security.CertificateAuthority;
import io.gloo.core.security.IssuedCertificate;
import io.gloo.core.security.SpiffeId;
import io.gloo.core.server.GlooServer;
import io.gloo.core.snapshot.ProxyNodes;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.testing.AdsTestClient;
import io.gloo.core.testing.Await;
import io.gloo.core.testing.ServeFixture;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which
 * {@code ./run-tests} installs) against {@code gloo serve} with the enterprise plugins, on a scenario with a broken
 * route, a rejected policy, an unreadable file, a TLS listener and an API-key Secret, and a test proxy that NACKs
 * its clusters. Each view is checked for its content and saved as a screenshot under
 * {@code target/console-screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

  /** Values that must never reach a page. */
  private static final String API_KEY = "console-test-api-key-7f3a9";

  @TempDir
  static Path dir;

  private static GlooServer server;
  private static WebDriver browser;
  private static AdsTestClient proxy;
  private static String base;
  private static String privateKeyBody;
  private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

  @BeforeAll
  static void start() throws Exception {
    IssuedCertificate cert = CertificateAuthority.loadOrCreate(dir.resolve("ca"))
        .issue(SpiffeId.gateway("default", "gw"), List.of("secure.example.com"), Duration.ofDays(1));
    privateKeyBody = cert.privateKeyPem().lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
    server = EnterprisePlugins.serve(dir).manifest("gateway.yaml", gateway(cert)).manifest("routes.yaml", ROUTES)
        .manifest("broken.yaml", "kind: [this is not a manifest\n").start();
    base = "http://localhost:" + server.adminPort();
    proxy = nackingProxy();
    browser = chromium();
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** A proxy of Gateway default/gw that ACKs nothing and NACKs its clusters, naming one the way Envoy does. */
  private static AdsTestClient nackingProxy() throws InterruptedException {
    Node node = Node.newBuilder().setId("proxy-under-test").setCluster("gw").setMetadata(Struct.newBuilder()
        .putFields(ProxyNodes.GATEWAY_METADATA_KEY, Value.newBuilder().setStringValue("default/gw").build()))
        .build();
    AdsTestClient client = AdsTestClient.connect("127.0.0.1", server.xdsPort(), node);
    DiscoveryResponse clusters = client.request(Resources.V3.CLUSTER_TYPE_URL, List.of(), "", "");
    String name = clusters.getResourcesList().stream().map(any -> {
      try {
        return any.unpack(Cluster.class).getName();
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new IllegalStateException(e);
      }
    }).filter(n -> n.contains("svc")).findFirst().orElseThrow();
    client.nack(clusters, "Error adding/updating cluster(s) " + name + ": test proxy refuses it");
    return client;
  }

  private static WebDriver chromium() {
    String binary = firstExisting("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
    String driver = firstExisting("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(binary);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1400,1000", "--lang=en-US");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(Path.of(driver).toFile())
        .usingAnyFreePort().build();
    ChromeDriver chrome = new ChromeDriver(service, options);
    chrome.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    return chrome;
  }

  private static String firstExisting(String... paths) {
    for (String p : paths) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    throw new IllegalStateException("none of " + List.of(paths) + " exists: install Debian's chromium and"
        + " chromium-driver (./run-tests does)");
  }

  private static void open(String path) {
    browser.get(base + path);
  }

  private static String mainText() {
    return browser.findElement(By.id("main")).getText();
  }

  private static void screenshot(String name) throws IOException {
    byte[] png = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
    Files.write(SCREENSHOTS.resolve(name + ".png"), png);
  }

  private static WebDriverWait waitUpTo(int seconds) {
    return new WebDriverWait(browser, Duration.ofSeconds(seconds));
  }

  @Test
  @Order(1)
  void overviewShowsTheGatewayItsListenersAndTheNackTracedToItsSource() throws Exception {
    // the NACK reaches the tracker asynchronously: the page shows it once it is known (the script refreshes it)
    open("/ui/");
    waitUpTo(30).until(d -> mainText().contains("NACK"));
    String text = mainText();
    assertTrue(text.contains("Gateway default/gw"), text);
    assertTrue(text.contains("0.0.0.0:8080") && text.contains("0.0.0.0:8443"), text);
    assertTrue(text.contains("proxy-under-test"), text);
    assertTrue(text.contains("test proxy refuses it"), text);
    assertTrue(text.contains("Caused by: Service default/svc") || text.contains("Caused by: cluster"), text);
    assertEquals("page", browser.findElement(By.linkText("Overview")).getAttribute("aria-current"));
    screenshot("overview");
  }

  @Test
  @Order(2)
  void routesAreListedInEnvoysOrderWithSourceDestinationAndPolicies() throws Exception {
    open("/ui/routes?gateway=Gateway/default/gw");
    String text = mainText();
    assertTrue(text.contains("prefix /api"), text);
    assertTrue(text.contains("HTTPRoute default/api rule 0"), text);
    assertTrue(text.contains("RouteOption/default/timeouts"), text);
    assertTrue(text.contains("HTTPRoute default/broken rule 0"), text);
    assertTrue(text.contains("direct response 500"), "the broken route answers 500: " + text);
    // Envoy's order: /api/v2 (longer prefix, from the same rule list) precedes /api
    assertTrue(text.indexOf("prefix /api/v2") < text.indexOf("prefix /api\n")
        || text.indexOf("prefix /api/v2") < text.lastIndexOf("prefix /api"), text);
    screenshot("routes");
  }

  @Test
  @Order(3)
  void policiesExplainTheMergeAndHighlightTheRejectedOne() throws Exception {
    open("/ui/routes?gateway=Gateway/default/gw");
    browser.findElements(By.cssSelector("tbody th a")).stream()
        .filter(a -> a.getText().contains("api")).findFirst().orElseThrow().click();
    String text = mainText();
    assertTrue(text.contains("Policies at HTTPRoute default/api rule 0"), text);
    assertTrue(text.contains("options.timeout"), text);
    assertTrue(text.contains("options.retries"), text);
    // the lower-priority policy's timeout lost to the ExtensionRef's
    assertTrue(text.contains("lost to RouteOption default/timeouts") || text.contains("lost to"), text);
    assertTrue(text.contains("RouteOption/default/bad-faults") && text.contains("Rejected"), text);
    assertTrue(text.contains("RouteOption/default/dangling"), text);
    screenshot("policies");
  }

  @Test
  @Order(4)
  void tryARequestGivesTheEvaluatorsAnswerAsAShareableUrl() throws Exception {
    open("/ui/try");
    WebElement url = browser.findElement(By.id("url"));
    url.sendKeys("http://example.com:8080/api/users");
    browser.findElement(By.id("headers")).sendKeys("x-team: blue");
    browser.findElement(By.id("client")).sendKeys("10.1.2.3");
    browser.findElement(By.cssSelector("form.try button")).sendKeys(Keys.ENTER);
    waitUpTo(20).until(d -> !d.findElements(By.id("result")).isEmpty());
    RouteDecision expected = RouteEvaluator.evaluate(server.publisher().current()
        .get(new ResourceKey("Gateway", "default", "gw")).resources(),
        TestRequest.parse("GET http://example.com:8080/api/users", List.of("x-team: blue"), 0, null));
    assertEquals(expected.outcome().name(), field("outcome"));
    assertEquals(expected.cluster(), field("cluster"));
    assertEquals(expected.route(), field("route"));
    assertTrue(browser.getCurrentUrl().contains("url=http"), "shareable: " + browser.getCurrentUrl());
    screenshot("try");

    // the same URL opened afresh gives the same answer
    String shared = browser.getCurrentUrl();
    browser.get("about:blank");
    browser.get(shared);
    assertEquals(expected.cluster(), field("cluster"));
  }

  private static String field(String name) {
    return browser.findElement(By.cssSelector("[data-field='" + name + "']")).getText();
  }

  @Test
  @Order(5)
  void pluginsShowsTheLoadedPluginsWithVersionsAndKinds() throws Exception {
    open("/ui/plugins");
    String text = mainText();
    for (String id : List.of("routeoption", "virtualhostoption", "upstream", "ratelimit", "extauth")) {
      assertTrue(text.contains(id), id + " missing: " + text);
    }
    assertTrue(text.contains("RouteOption (gateway.solo.io/v1)"), text);
    assertTrue(text.contains("started"), text);
    screenshot("plugins");
  }

  @Test
  @Order(6)
  void problemsListEveryRejectedResourceAndFileAndFilter() throws Exception {
    open("/ui/problems");
    String text = mainText();
    assertTrue(text.contains("HTTPRoute/default/broken"), text);
    assertTrue(text.contains("RouteOption/default/bad-faults"), text);
    assertTrue(text.contains("broken.yaml"), text);
    WebElement q = browser.findElement(By.id("q"));
    q.sendKeys("bad-faults", Keys.ENTER);
    waitUpTo(20).until(d -> d.getCurrentUrl().contains("q=bad-faults"));
    String filtered = mainText();
    assertTrue(filtered.contains("RouteOption/default/bad-faults"), filtered);
    assertFalse(filtered.contains("HTTPRoute/default/broken"), filtered);
    open("/ui/problems");
    browser.findElement(By.linkText("HTTPRoute/default/broken")).click();
    assertTrue(mainText().contains("ResolvedRefs"), mainText());
    screenshot("problems");
  }

  @Test
  @Order(7)
  void aFileChangeAppearsWithoutAReload() throws Exception {
    open("/ui/routes?gateway=Gateway/default/gw");
    ((JavascriptExecutor) browser).executeScript("window.consoleTestMarker = 42;");
    assertFalse(mainText().contains("prefix /late"));
    Files.writeString(dir.resolve("config").resolve("late.yaml"), """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: late, namespace: default}
        spec:
          parentRefs: [{name: gw, sectionName: http}]
          rules:
          - matches: [{path: {type: PathPrefix, value: /late}}]
            backendRefs: [{name: svc, port: 80}]
        """);
    waitUpTo(30).until(d -> mainText().contains("prefix /late"));
    assertEquals(42L, ((JavascriptExecutor) browser).executeScript("return window.consoleTestMarker;"),
        "the page was reloaded instead of updated in place");
    assertTrue(browser.findElement(By.id("live")).getText().startsWith("Updated"));
  }

  @Test
  @Order(8)
  void changesDiffTheLastTwoVersions() throws Exception {
    open("/ui/changes?gateway=Gateway/default/gw");
    String text = mainText();
    assertTrue(text.contains("added") && text.contains("late"), text);
    screenshot("changes");
  }

  @Test
  @Order(9)
  void noPageCarriesASecretAndOverviewAndProblemsReadWithoutJavaScript() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String encodedKey = Base64.getEncoder().encodeToString(API_KEY.getBytes());
    for (String path : List.of("/ui/", "/ui/routes", "/ui/policies", "/ui/try?url=http://example.com:8080/api",
        "/ui/plugins", "/ui/problems", "/ui/changes", "/ui/resource?key=Secret/default/alice",
        "/ui/resource?key=Secret/default/tls", "/ui/resource?key=AuthConfig/default/keys",
        "/ui/policies?gateway=Gateway/default/gw&route=" + firstRouteName())) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), path);
      for (String secret : List.of(API_KEY, encodedKey, privateKeyBody, "PRIVATE KEY")) {
        assertFalse(r.body().contains(secret), path + " shows a secret");
      }
      assertTrue(r.headers().firstValue("Content-Security-Policy").orElse("").contains("frame-ancestors 'none'"));
    }
    // without JavaScript: the server-rendered HTML already holds the overview and the problems
    String overview = get(http, "/ui/");
    assertTrue(overview.contains("Gateway default/gw") && overview.contains("proxy-under-test"), overview);
    String problems = get(http, "/ui/problems");
    assertTrue(problems.contains("HTTPRoute/default/broken") && problems.contains("broken.yaml"), problems);
  }

  @Test
  @Order(10)
  void formsAreLabelledAndTheConsoleRefusesAForeignHost() throws Exception {
    open("/ui/try");
    for (WebElement input : browser.findElements(By.cssSelector("main input, main select, main textarea"))) {
      String id = input.getAttribute("id");
      assertFalse(browser.findElements(By.cssSelector("label[for='" + id + "']")).isEmpty(), id + " has no label");
    }
    // keyboard: the skip link is the first stop and moves to the content
    browser.findElement(By.tagName("body")).sendKeys(Keys.TAB);
    WebElement focused = browser.switchTo().activeElement();
    assertEquals("Skip to content", focused.getText());
    // DNS rebinding: a loopback client asking under another host name gets nothing
    // (a raw socket: the JDK's HTTP client does not let a caller set Host)
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.adminPort())) {
      socket.getOutputStream().write("GET /ui/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 421"), answer);
      assertFalse(answer.contains("default/gw"), answer);
    }
  }

  @Test
  @Order(11)
  void theQuickStartAndAGlooEdgeProxyShowOnTheSamePages() throws Exception {
    ServeFixture edge = EnterprisePlugins.serve(Files.createDirectory(dir.resolve("quickstart-and-edge")));
    try (var files = Files.list(Path.of("..", "examples", "quickstart"))) {
      for (Path f : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        Files.copy(f, edge.config().resolve(f.getFileName()));
      }
    }
    edge.manifest("edge.yaml", """
        apiVersion: gloo.solo.io/v1
        kind: Upstream
        metadata: {name: legacy, namespace: gloo-system}
        spec: {static: {hosts: [{addr: legacy.internal, port: 8080}]}}
        ---
        apiVersion: gateway.solo.io/v1
        kind: VirtualService
        metadata: {name: legacy, namespace: gloo-system}
        spec:
          virtualHost:
            domains: [legacy.example.com]
            routes:
            - matchers: [{prefix: /old}]
              routeAction: {single: {upstream: {name: legacy, namespace: gloo-system}}}
        """);
    try (GlooServer quickstart = edge.start()) {
      String quickBase = "http://localhost:" + quickstart.adminPort();
      browser.get(quickBase + "/ui/");
      String overview = mainText();
      assertTrue(overview.contains("Gateway default/http"), overview);
      assertTrue(overview.contains("Gloo Edge proxy gloo-system/gateway-proxy"), overview);
      browser.get(quickBase + "/ui/routes?gateway=Proxy/gloo-system/gateway-proxy");
      String edgeRoutes = mainText();
      assertTrue(edgeRoutes.contains("prefix /old") && edgeRoutes.contains("legacy.example.com"), edgeRoutes);
      browser.get(quickBase + "/ui/routes?gateway=Gateway/default/http");
      assertTrue(mainText().contains("HTTPRoute default/"), mainText());
      screenshot("quickstart-routes");
    }
  }

  private static String firstRouteName() {
    return server.publisher().current().get(new ResourceKey("Gateway", "default", "gw")).resources().routes().get(0)
        .getVirtualHosts(0).getRoutes(0).getName();
  }

  private static String get(HttpClient http, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static String gateway(IssuedCertificate cert) {
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: gloo-gateway}
        spec: {controllerName: solo.io/gloo-gateway}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: default}
        spec:
          gatewayClassName: gloo-gateway
          listeners:
          - {name: http, protocol: HTTP, port: 8080}
          - name: https
            protocol: HTTPS
            port: 8443
            hostname: secure.example.com
            tls: {mode: Terminate, certificateRefs: [{name: tls}]}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: tls, namespace: default}
        type: kubernetes.io/tls
        data:
          tls.crt: %s
          tls.key: %s
        """.formatted(Base64.getEncoder().encodeToString(cert.certificatePem().getBytes()),
        Base64.getEncoder().encodeToString(cert.privateKeyPem().getBytes()));
  }

  private static final String ROUTES = """
      apiVersion: v1
      kind: Service
      metadata: {name: svc, namespace: default}
      spec: {ports: [{port: 80}]}
      ---
      """ + EnterprisePlugins.apiKeyAuth(API_KEY) + """
      ---
      apiVersion: gateway.solo.io/v1
      kind: RouteOption
      metadata: {name: timeouts, namespace: default}
      spec:
        options:
          timeout: 5s
          extauth: {configRef: {name: keys}}
      ---
      apiVersion: gateway.solo.io/v1
      kind: RouteOption
      metadata: {name: defaults, namespace: default}
      spec:
        targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: api}]
        options:
          timeout: 30s
          retries: {retryOn: 5xx, numRetries: 2}
      ---
      apiVersion: gateway.solo.io/v1
      kind: RouteOption
      metadata: {name: bad-faults, namespace: default}
      spec:
        targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: other}]
        options:
          faults: {abort: {percentage: 50, httpStatus: 999}}
      ---
      apiVersion: gateway.solo.io/v1
      kind: RouteOption
      metadata: {name: dangling, namespace: default}
      spec:
        targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: no-such-route}]
        options: {timeout: 1s}
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: {name: api, namespace: default}
      spec:
        parentRefs: [{name: gw, sectionName: http}]
        rules:
        - matches: [{path: {type: PathPrefix, value: /api}}, {path: {type: PathPrefix, value: /api/v2}}]
          filters: [{type: ExtensionRef, extensionRef: {group: gateway.solo.io, kind: RouteOption, name: timeouts}}]
          backendRefs: [{name: svc, port: 80}]
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: {name: broken, namespace: default}
      spec:
        parentRefs: [{name: gw, sectionName: http}]
        rules:
        - matches: [{path: {type: PathPrefix, value: /broken}}]
          backendRefs: [{name: no-such-service, port: 80}]
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: {name: other, namespace: default}
      spec:
        parentRefs: [{name: gw, sectionName: http}]
        rules:
        - matches: [{path: {type: PathPrefix, value: /other}}]
          backendRefs: [{name: svc, port: 80}]
      """;
}
