package io.github.a6sdk.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.PluginCatalog;
import io.github.a6sdk.runtime.dev.DevGateway;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dev gateway end to end: real HTTP in, the real protocol to an in-process runner, a real upstream. */
class DevGatewayTest {
    static final PluginCatalog CATALOG = PluginCatalog.load(DevGatewayTest.class.getClassLoader());
    final ByteArrayOutputStream log = new ByteArrayOutputStream();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    @TempDir Path dir;

    private DevGateway start(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "--port";
        all[1] = "0";
        System.arraycopy(args, 0, all, 2, args.length);
        return DevGateway.start(CATALOG, all, new PrintStream(log, true, StandardCharsets.UTF_8), System.err);
    }

    private HttpResponse<String> send(DevGateway gw, HttpRequest.Builder b, String pathAndQuery) throws Exception {
        return http.send(b.uri(URI.create("http://127.0.0.1:" + gw.port() + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(DevGateway gw, String pathAndQuery) throws Exception {
        return send(gw, HttpRequest.newBuilder().GET(), pathAndQuery);
    }

    @Test
    void byDefaultSayAnswersHello() throws Exception {
        try (DevGateway gw = start()) {
            HttpResponse<String> r = get(gw, "/get");
            assertEquals(200, r.statusCode());
            assertEquals("hello", r.body());
            assertEquals("Java", r.headers().firstValue("x-resp-a6-runner").orElse(null));
            assertEquals(List.of("one", "two"), r.headers().allValues("x-same"));
        }
        String line = log.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("GET /get")).findFirst()
                .orElseThrow(() -> new AssertionError("no log line in " + log));
        assertTrue(line.matches("GET /get route=default plugins=pre-req=\\[say] action=stop"
                + " status=200 runner=[0-9.]+ms total=[0-9.]+ms"), line);
    }

    @Test
    void theLogShowsConfigsOnlyThroughTheirRecordsToString() throws Exception {
        try (DevGateway gw = start("--plugin", "say={\"body\":\"s3cret-token\"}")) {
            assertEquals("s3cret-token", get(gw, "/x").body());
        }
        String out = log.toString(StandardCharsets.UTF_8);
        // the route listing at start: the parsed record's toString() (a record that overrides it hides its secrets)
        assertTrue(out.contains(" pre-req=[say Config[body=s3cret-token, status=null]]\n"), out);
        // every request line: the plugin names only
        assertTrue(out.contains("GET /x route=default plugins=pre-req=[say] action=stop status=200 "), out);
        assertTrue(!out.contains("{\"body\""), "no raw config JSON in the log: " + out);
    }

    @Test
    void requestStateCrossesThePhasesOfEachRequest() throws Exception {
        try (DevGateway gw = start("--plugin", "stamp", "--post-resp", "stamp")) {
            HttpResponse<String> one = send(gw, HttpRequest.newBuilder().GET().header("x-stamp", "first"), "/a");
            HttpResponse<String> two = get(gw, "/b");
            assertEquals(200, one.statusCode());
            assertEquals("first", one.headers().firstValue("x-stamp").orElse(null), "pre-req's value, read in post-resp");
            assertEquals("none", two.headers().firstValue("x-stamp").orElse(null), "another request_id, no state");
        }
    }

    @Test
    void rewriteReachesTheEchoUpstreamChanged() throws Exception {
        String conf = "{\"path\":\"/changed path\",\"setHeaders\":{\"x-set\":\"v\",\"host\":\"example.test\"},"
                + "\"addHeaders\":{\"accept\":\"text/html\"},\"removeHeaders\":[\"x-drop\"],\"setArgs\":{\"page\":\"2\"},"
                + "\"addArgs\":{\"tag\":\"c\"},\"removeArgs\":[\"flag\"],\"responseHeaders\":{\"x-resp\":\"r\","
                + "\"content-type\":\"ignored/by-apisix\"},\"body\":\"new body\"}";
        try (DevGateway gw = start("--plugin", "rewrite=" + conf)) {
            HttpResponse<String> r = send(gw, HttpRequest.newBuilder().POST(HttpRequest.BodyPublishers.ofString("old"))
                    .header("Accept", "application/json").header("X-Drop", "1").header("X-Keep", "k"),
                    "/orig?page=1&tag=a&tag=b&flag&empty=");
            assertEquals(200, r.statusCode());
            String echo = r.body();
            assertTrue(echo.contains("\"method\": \"POST\""), echo);
            assertTrue(echo.contains("\"uri\": \"/changed%20path?page=2&tag=a&tag=b&tag=c&empty=\""), echo);
            assertTrue(echo.contains("\"accept\": \"application/json, text/html\""), echo);
            assertTrue(echo.contains("\"x-set\": \"v\""), echo);
            assertTrue(echo.contains("\"x-keep\": \"k\""), echo);
            assertTrue(!echo.contains("x-drop"), echo);
            assertTrue(echo.contains("\"body\": \"new body\""), echo);
            assertEquals("r", r.headers().firstValue("x-resp").orElse(null));
            assertEquals("application/json", r.headers().firstValue("content-type").orElse(null));
        }
    }

    @Test
    void postReqPluginsSeeVarsAnsweredFromTheHttpRequest() throws Exception {
        try (DevGateway gw = start("--post-req", "whoami")) {
            HttpResponse<String> r = send(gw, HttpRequest.newBuilder().PUT(HttpRequest.BodyPublishers.ofString("hi"))
                    .header("X-User", "ann"), "/who?tag=t1&tag=t2");
            assertEquals(203, r.statusCode());
            assertEquals("ip=127.0.0.1 user=ann tag=t1 method=PUT path=/who src=127.0.0.1 args=[t1, t2] body=hi", r.body());
        }
    }

    @Test
    void routesFileWithResponsePhaseAndFailures() throws Exception {
        Path routes = dir.resolve("routes.json");
        Files.writeString(routes, "[{\"uri\":\"/shout/*\",\"plugins\":{\"ext-plugin-post-resp\":{\"conf\":"
                + "[{\"name\":\"shout\",\"value\":\"{\\\"status\\\":202,\\\"tag\\\":\\\"loud\\\"}\"}]}}},"
                + "{\"uri\":\"/boom\",\"plugins\":{\"ext-plugin-pre-req\":{\"conf\":[{\"name\":\"boom\",\"value\":\"\"}]}}},"
                + "{\"uri\":\"/boom-late/*\",\"plugins\":{\"ext-plugin-post-resp\":{\"conf\":[{\"name\":\"boom\",\"value\":\"\"}]}}},"
                + "{\"uri\":\"/bad-conf\",\"plugins\":{\"ext-plugin-pre-req\":{\"conf\":[{\"name\":\"say\",\"value\":\"{\\\"body\\\":1}\"}]}}}]");
        try (DevGateway gw = start("--routes", routes.toString())) {
            HttpResponse<String> r = get(gw, "/shout/x?q=1");
            assertEquals(202, r.statusCode());
            assertTrue(r.body().contains("\"PATH\": \"/SHOUT/X\""), r.body());
            assertEquals("loud", r.headers().firstValue("x-shout").orElse(null));
            // the whole header set was sent back, so the upstream's Content-Type survives
            assertEquals("application/json", r.headers().firstValue("content-type").orElse(null));

            assertEquals(503, get(gw, "/boom").statusCode());
            HttpResponse<String> late = get(gw, "/boom-late/y");
            assertEquals(503, late.statusCode());
            assertTrue(late.body().contains("\"path\": \"/boom-late/y\""), "post-resp failure streams the upstream body");
            assertEquals(503, get(gw, "/bad-conf").statusCode());
            assertEquals(404, get(gw, "/elsewhere").statusCode());
        }
        String out = log.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("GET /boom route=route #2 \"/boom\" plugins=pre-req=[boom] action=error SERVICE_UNAVAILABLE status=503"), out);
        assertTrue(out.contains("action=error SERVICE_UNAVAILABLE status=503"), out);
        assertTrue(out.contains("action=error BAD_REQUEST status=503"), out);
    }

    @Test
    void realUpstreamAndStopStatus() throws Exception {
        try (DevGateway upstream = start("--plugin", "say={\"body\":\"from upstream\",\"status\":201}");
                DevGateway gw = start("--upstream", "http://127.0.0.1:" + upstream.port(), "--plugin", "rewrite={}")) {
            HttpResponse<String> r = get(gw, "/any");
            assertEquals(201, r.statusCode());
            assertEquals("from upstream", r.body());
        }
    }

    @Test
    void concurrentRequestsShareTokensAndConnections() throws Exception {
        try (DevGateway gw = start("--plugin", "whoami", "--post-resp", "shout={\"status\":0}")) {
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                futures.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + "/c?tag=" + i))
                        .header("X-User", "u" + i).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (int i = 0; i < 40; i++) {
                HttpResponse<String> r = futures.get(i).get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(203, r.statusCode());
                assertTrue(r.body().startsWith("ip=127.0.0.1 user=u" + i + " tag=" + i + " "), r.body());
            }
        }
    }

    @Test
    void routesFileUpstreamAsApisixNodes() throws Exception {
        try (DevGateway upstream = start("--plugin", "say={\"body\":\"node\"}")) {
            Path routes = dir.resolve("routes.json");
            Files.writeString(routes, "{\"list\":[{\"value\":{\"id\":\"r1\",\"uris\":[\"/a\",\"/b/*\"],"
                    + "\"upstream\":{\"type\":\"roundrobin\",\"nodes\":{\"127.0.0.1:" + upstream.port() + "\":1}}}}]}");
            try (DevGateway gw = start("--routes", routes.toString())) {
                assertEquals("node", get(gw, "/a").body());
                assertEquals("node", get(gw, "/b/c").body());
                assertEquals(404, get(gw, "/a/c").statusCode());
            }
        }
    }

    @Test
    void aJarNamesItsDefaultRoutesInAResource() throws Exception {
        Path resource = dir.resolve(DevGateway.DEFAULT_ROUTES);
        Files.createDirectories(resource.getParent());
        Files.writeString(resource, "[{\"uri\":\"/jar/*\",\"plugins\":{\"ext-plugin-pre-req\":{\"conf\":"
                + "[{\"name\":\"say\",\"value\":\"{\\\"body\\\":\\\"from the jar\\\"}\"}]}}}]");
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        try (URLClassLoader jar = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            try (DevGateway gw = DevGateway.start(CATALOG, jar, new String[] {"--port", "0"}, out, System.err)) {
                assertEquals("from the jar", get(gw, "/jar/x").body());
                assertEquals(404, get(gw, "/get").statusCode(), "no default say route next to the jar's routes");
            }
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("routes from the jar's " + DevGateway.DEFAULT_ROUTES), log.toString());
            // a flag replaces the jar's routes
            try (DevGateway gw = DevGateway.start(CATALOG, jar, new String[] {"--port", "0", "--plugin", "say={\"body\":\"flag\"}"},
                    out, System.err)) {
                assertEquals("flag", get(gw, "/jar/x").body());
            }
            Files.writeString(resource, "[{\"uri\":\"/\",\"upstream\":\"ftp://x\"}]");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DevGateway.start(CATALOG, jar, new String[] {"--port", "0"}, out, System.err));
            assertTrue(e.getMessage().startsWith("the jar's " + DevGateway.DEFAULT_ROUTES + ": "), e.getMessage());
        }
    }

    @Test
    void badFlagsAreExplained() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> start("--port"));
        assertTrue(e.getMessage().startsWith("--port needs a value"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> start("--upstream", "ftp://x"));
        assertTrue(e.getMessage().contains("upstream must be an http(s) URL"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> start("--bogus", "1"));
        assertTrue(e.getMessage().startsWith("unknown option --bogus"), e.getMessage());
        assertNull(assertDoesNotThrowHelp());
    }

    private DevGateway assertDoesNotThrowHelp() throws RuntimeException {
        try {
            return start("--help");
        } catch (Exception ex) {
            throw new AssertionError(ex);
        }
    }
}
