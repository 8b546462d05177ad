package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.metrics.Metrics;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A6_METRICS_ADDRESS end to end: a runner on a real socket serves calls of every outcome, then its
 * /metrics is read over HTTP, checked by promtool and compared with the calls made.
 */
@Timeout(60)
class MetricsTest {
    private static final int N = 7;
    private static final Map<String, String> ON = Map.of("A6_METRICS_ADDRESS", "127.0.0.1:0");

    @TempDir Path dir;

    static TestDescriptor[] plugins() {
        return new TestDescriptor[] {
            TestDescriptor.request("pass", (c, req, resp) -> { }),
            TestDescriptor.request("rw", (c, req, resp) -> req.setPath("/x")),
            TestDescriptor.request("stop", (c, req, resp) -> resp.setStatus(403)),
            TestDescriptor.request("boom", (c, req, resp) -> {
                throw new IllegalStateException("boom");
            }),
            TestDescriptor.request("var", (c, req, resp) -> req.var("remote_addr")),
            TestDescriptor.request("body", (c, req, resp) -> req.body()).prefetch(true, false),
            TestDescriptor.response("resp", (c, up) -> up.setStatus(201)),
            TestDescriptor.response("respbody", (c, up) -> up.body()),
            TestDescriptor.response("resp-boom", (c, up) -> {
                throw new IllegalStateException("boom");
            }),
        };
    }

    @Test
    void countsMatchTheCallsMadeAndPromtoolAcceptsTheText() throws Exception {
        try (TestRunner r = TestRunner.start(dir, ON, plugins())) {
            Metrics metrics = r.runner.metrics();
            assertNotNull(metrics, "A6_METRICS_ADDRESS is set");
            int[] connections = {0};
            long preReq = prepare(r, connections, "route#1#ext-plugin-pre-req#1", "pass", "", "rw", "");
            long postReq = prepare(r, connections, "route#1#ext-plugin-post-req#1", "stop", "");
            long boom = prepare(r, connections, "route#2#ext-plugin-pre-req#1", "boom", "");
            long noPhase = prepare(r, connections, "no-phase-here", "var", "");
            long body = prepare(r, connections, "route#3#ext-plugin-pre-req#1", "body", "");
            long postResp = prepare(r, connections, "route#1#ext-plugin-post-resp#1", "resp", "", "respbody", "");
            long respNoPhase = prepare(r, connections, "other", "resp-boom", "");
            try (ApisixClient c = ApisixClient.connect(r.socket)) {
                connections[0]++;
                assertInstanceOf(Reply.Error.class, c.prepareConf("k", List.of(Field.of("nope", ""))));
                assertInstanceOf(Reply.Error.class, c.prepareConf("k", List.of(Field.of("pass", "bad"))));
                ExtraInfoAnswers answers = new ExtraInfoAnswers().var("remote_addr", "10.0.0.1").requestBody("b")
                        .responseBody("r");
                for (int i = 0; i < N; i++) {
                    assertInstanceOf(Reply.Rewrite.class, c.call(preReq, new CallRequest().id(i), answers));
                    assertInstanceOf(Reply.Stop.class, c.call(postReq, new CallRequest().id(i), answers));
                    assertInstanceOf(Reply.Error.class, c.call(boom, new CallRequest().id(i), answers));
                    assertInstanceOf(Reply.Pass.class, c.call(noPhase, new CallRequest().id(i), answers));
                    assertInstanceOf(Reply.Pass.class, c.call(body, new CallRequest().id(i), answers));
                    c.respCall(postResp, i, 200, List.of(), answers);
                    assertInstanceOf(Reply.Error.class, c.respCall(respNoPhase, i, 200, List.of(), answers));
                }
                Reply miss = c.call(999_999, new CallRequest().id(1), answers);
                assertEquals(Rpc.ERR_CONF_TOKEN_NOT_FOUND, assertInstanceOf(Reply.Error.class, miss).code());
            }
            try (RawConnection raw = r.raw()) {
                connections[0]++;
                raw.send(Rpc.EXTRA_INFO, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
                assertEquals(Rpc.ERROR, raw.read(5000).type());
                raw.send(Rpc.HTTP_REQ_CALL, new byte[] {1});
                assertEquals(Rpc.ERROR, raw.read(5000).type());
            }

            String text = get(metrics, "/metrics").body;
            Map<String, Double> m = parse(text);
            assertEquals(N, m.get("a6_plugin_calls_total{plugin=\"pass\",phase=\"pre-req\",outcome=\"pass\"}"), text);
            assertEquals(N, m.get("a6_plugin_calls_total{plugin=\"rw\",phase=\"pre-req\",outcome=\"rewrite\"}"));
            assertEquals(N, m.get("a6_plugin_calls_total{plugin=\"stop\",phase=\"post-req\",outcome=\"stop\"}"));
            assertEquals(N, m.get("a6_plugin_calls_total{plugin=\"boom\",phase=\"pre-req\",outcome=\"error\"}"));
            assertEquals(N, m.get("a6_plugin_calls_total{plugin=\"var\",phase=\"request\",outcome=\"pass\"}"));
            assertEquals(N, m.get("a6_plugin_calls_total{plugin=\"body\",phase=\"pre-req\",outcome=\"pass\"}"));
            assertEquals(N, m.get("a6_plugin_calls_total{plugin=\"resp\",phase=\"post-resp\",outcome=\"rewrite\"}"));
            assertEquals(N, m.get("a6_plugin_calls_total{plugin=\"respbody\",phase=\"post-resp\",outcome=\"pass\"}"));
            assertEquals(N, m.get("a6_plugin_calls_total{plugin=\"resp-boom\",phase=\"response\",outcome=\"error\"}"));
            assertEquals(0, m.get("a6_plugin_calls_total{plugin=\"pass\",phase=\"post-req\",outcome=\"pass\"}"));
            assertFalse(text.contains("plugin=\"resp\",phase=\"pre-req\""), "no request-phase series for a response plugin");
            assertFalse(text.contains("phase=\"post-resp\",outcome=\"stop\""), "no stop in a response phase");
            double callsSeen = 0;
            for (Map.Entry<String, Double> e : m.entrySet()) {
                callsSeen += e.getKey().startsWith("a6_plugin_calls_total") ? e.getValue() : 0;
            }
            assertEquals(9 * N, callsSeen, "every plugin call counted once (nine plugins, N calls each)");

            for (String p : new String[] {"pass", "rw", "stop", "boom", "var", "body", "resp", "respbody", "resp-boom"}) {
                assertEquals(N, m.get("a6_plugin_duration_seconds_count{plugin=\"" + p + "\"}"), p);
            }
            // HTTPReqCall: five chains N times, the token miss, the undecodable one.
            assertEquals(5 * N + 2, m.get("a6_call_duration_seconds_count{kind=\"HTTPReqCall\"}"));
            assertEquals(2 * N, m.get("a6_call_duration_seconds_count{kind=\"HTTPRespCall\"}"));
            assertHistogramsAreCumulative(text);

            assertEquals(N, m.get("a6_extra_info_total{kind=\"var\"}"));
            assertEquals(N, m.get("a6_extra_info_total{kind=\"req_body\"}"));
            assertEquals(N, m.get("a6_extra_info_total{kind=\"resp_body\"}"));
            assertEquals(7, m.get("a6_prepare_conf_total{outcome=\"ok\"}"));
            assertEquals(1, m.get("a6_prepare_conf_total{outcome=\"unknown_plugin\"}"));
            assertEquals(1, m.get("a6_prepare_conf_total{outcome=\"bad_config\"}"));
            assertEquals(7, m.get("a6_conf_cache_entries"));
            assertEquals(1, m.get("a6_conf_token_misses_total"));
            assertEquals(connections[0], m.get("a6_connections_accepted_total"));
            assertEquals(0, m.get("a6_connections_refused_total{reason=\"limit\"}"));
            assertEquals(0, m.get("a6_connections_refused_total{reason=\"peer\"}"));
            assertEquals(0, m.get("a6_call_timeouts_total"));
            assertEquals(1, m.get("a6_frame_errors_total{reason=\"unexpected_type\"}"));
            assertEquals(1, m.get("a6_frame_errors_total{reason=\"undecodable\"}"));
            assertEquals(0, m.get("a6_frame_errors_total{reason=\"protocol\"}"));
            assertTrue(text.contains("a6_runner_info{version=\""), text);
            assertTrue(text.contains(",transport=\"" + r.runner.transportName() + "\",threads=\"" + r.runner.threadKind()
                    + "\"} 1\n"), text);
            for (String family : Metrics.names()) {
                assertTrue(text.contains("# TYPE " + family + " "), "family " + family + " is served");
            }
            assertTrue(m.get("process_resident_memory_bytes") > 0);
            assertTrue(m.get("jvm_threads_current") > 0);

            try (ApisixClient held = ApisixClient.connect(r.socket)) {
                assertInstanceOf(Reply.Pass.class, held.call(noPhase, new CallRequest().id(1), new ExtraInfoAnswers()
                        .var("remote_addr", "x")));
                assertEquals(1, awaitValue(metrics, "a6_connections_open", 1), "the one open connection");
            }
            assertEquals(0, awaitValue(metrics, "a6_connections_open", 0));

            Promtool.check("metrics", text);
        }
    }

    @Test
    void healthzIsOkWhileServingAndUnavailableWhileDraining() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TestDescriptor hold = TestDescriptor.request("hold", (c, req, resp) -> {
            entered.countDown();
            release.await(20, TimeUnit.SECONDS);
        });
        try (TestRunner r = TestRunner.start(dir, ON, hold)) {
            Metrics metrics = r.runner.metrics();
            Http ok = get(metrics, "/healthz");
            assertEquals(200, ok.status);
            assertEquals("ok\n", ok.body);
            long token = r.prepare("hold", "");
            CompletableFuture<Reply> call = CompletableFuture.supplyAsync(() -> {
                try (ApisixClient c = r.client()) {
                    return c.call(token, new CallRequest().id(5), new ExtraInfoAnswers());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            Thread drain = new Thread(() -> r.runner.shutdown(10_000), "test-drain");
            drain.start();
            Http draining = get(metrics, "/healthz");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (draining.status == 200 && System.nanoTime() < deadline) {
                Thread.sleep(5);
                draining = get(metrics, "/healthz");
            }
            assertEquals(503, draining.status, "while a call drains");
            assertEquals("draining\n", draining.body);
            assertEquals(200, get(metrics, "/metrics").status, "metrics still served while draining");
            release.countDown();
            assertInstanceOf(Reply.Pass.class, call.get(10, TimeUnit.SECONDS), "the call in flight finishes");
            drain.join(10_000);
            assertTrue(r.runner.awaitStopped(1000));
            assertThrows(ConnectException.class, () -> get(metrics, "/healthz"), "the endpoint closes with the runner");
        }
    }

    @Test
    void unknownPathsAndMethods() throws Exception {
        try (TestRunner r = TestRunner.start(dir, ON, plugins())) {
            assertEquals(404, get(r.runner.metrics(), "/").status);
            assertEquals(404, get(r.runner.metrics(), "/metrics/x").status);
            HttpURLConnection post = open(r.runner.metrics(), "/metrics");
            post.setRequestMethod("POST");
            assertEquals(405, post.getResponseCode());
            HttpURLConnection c = open(r.runner.metrics(), "/metrics");
            assertEquals("text/plain; version=0.0.4; charset=utf-8", c.getHeaderField("Content-Type"));
        }
    }

    @Test
    void nothingListensOrRecordsWhenTheVariableIsUnsetOrBlank() throws Exception {
        try (LogCapture log = new LogCapture();
                TestRunner r = TestRunner.start(dir, Map.of("A6_METRICS_ADDRESS", " "), plugins())) {
            assertNull(r.runner.metrics());
            assertEquals(List.of(), log.matching("metrics"), "no metrics line in the log");
            long token = r.prepare("pass", "");
            try (ApisixClient c = r.client()) {
                assertInstanceOf(Reply.Pass.class, c.call(token, new CallRequest().id(1), new ExtraInfoAnswers()));
            }
        }
        try (TestRunner r = TestRunner.start(java.nio.file.Files.createDirectories(dir.resolve("unset")), plugins())) {
            assertNull(r.runner.metrics());
        }
    }

    @Test
    void aBadAddressIsAnErrorNamingTheVariableAndTheRunnerServesOn() throws Exception {
        try (LogCapture log = new LogCapture();
                TestRunner r = TestRunner.start(dir, Map.of("A6_METRICS_ADDRESS", "localhost"), plugins())) {
            assertNull(r.runner.metrics());
            List<String> errors = log.matching("SEVERE", "A6_METRICS_ADDRESS must be host:port", "\"localhost\"",
                    "serving APISIX without metrics");
            assertEquals(1, errors.size(), log.lines().toString());
            assertServes(r);
        }
    }

    @Test
    void aPortInUseIsAnErrorNamingTheVariableAndTheRunnerServesOn() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            try (LogCapture log = new LogCapture();
                    TestRunner r = TestRunner.start(dir, Map.of("A6_METRICS_ADDRESS", address), plugins())) {
                assertNull(r.runner.metrics());
                List<String> errors = log.matching("SEVERE", "A6_METRICS_ADDRESS=" + address + ": cannot listen",
                        "serving APISIX without metrics");
                assertEquals(1, errors.size(), log.lines().toString());
                assertServes(r);
            }
        }
    }

    @Test
    void theReadmeScrapeConfigAndAlertRulesPassPromtool() throws Exception {
        String readme = java.nio.file.Files.readString(Path.of("..", "README.md"));
        Promtool.check("config", readmeBlock(readme, "<!-- promtool check config -->"));
        String rules = readmeBlock(readme, "<!-- promtool check rules -->");
        assertTrue(rules.contains("a6_plugin_calls_total") && rules.contains("a6_plugin_duration_seconds_bucket"), rules);
        Promtool.check("rules", rules);
    }

    /** The fenced block right after {@code marker} in the README. */
    static String readmeBlock(String readme, String marker) {
        int at = readme.indexOf(marker);
        assertTrue(at >= 0, "README has " + marker);
        int open = readme.indexOf("```yaml\n", at);
        int close = readme.indexOf("\n```", open + 8);
        return readme.substring(open + 8, close + 1);
    }

    private static void assertServes(TestRunner r) throws IOException {
        long token = r.prepare("stop", "");
        try (ApisixClient c = r.client()) {
            assertInstanceOf(Reply.Stop.class, c.call(token, new CallRequest().id(1), new ExtraInfoAnswers()));
        }
    }

    private static long prepare(TestRunner r, int[] connections, String key, String... pairs) throws IOException {
        List<Field> conf = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            conf.add(Field.of(pairs[i], pairs[i + 1]));
        }
        connections[0]++;
        try (ApisixClient c = r.client()) {
            return assertInstanceOf(Reply.Token.class, c.prepareConf(key, conf)).token();
        }
    }

    /** Every histogram series: buckets never decrease, the last is +Inf and equals _count. */
    static void assertHistogramsAreCumulative(String text) {
        Map<String, List<String[]>> bySeries = new LinkedHashMap<>();
        Map<String, Double> values = parse(text);
        for (Map.Entry<String, Double> e : values.entrySet()) {
            String key = e.getKey();
            int b = key.indexOf("_bucket{");
            if (b < 0) {
                continue;
            }
            int le = key.indexOf("le=\"");
            String series = key.substring(0, b) + "{" + key.substring(b + 8, le) + "}";
            String bound = key.substring(le + 4, key.indexOf('"', le + 4));
            bySeries.computeIfAbsent(series, k -> new ArrayList<>()).add(new String[] {bound, String.valueOf(e.getValue())});
        }
        assertTrue(bySeries.size() >= 11, bySeries.keySet().toString());
        for (Map.Entry<String, List<String[]>> e : bySeries.entrySet()) {
            List<String[]> buckets = e.getValue();
            double previous = 0;
            double previousBound = Double.NEGATIVE_INFINITY;
            for (String[] b : buckets) {
                double bound = b[0].equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(b[0]);
                assertTrue(bound > previousBound, e.getKey() + ": bounds increase");
                assertTrue(Double.parseDouble(b[1]) >= previous, e.getKey() + ": cumulative");
                previous = Double.parseDouble(b[1]);
                previousBound = bound;
            }
            assertEquals("+Inf", buckets.get(buckets.size() - 1)[0], e.getKey());
            String series = e.getKey();
            String name = series.substring(0, series.indexOf('{'));
            String labels = series.substring(series.indexOf('{') + 1, series.length() - 1);
            String count = name + "_count" + (labels.isEmpty() ? "" : "{" + labels.substring(0, labels.length() - 1) + "}");
            assertEquals(values.get(count), previous, count + " equals the +Inf bucket");
        }
    }

    /** Sample lines as series (name and labels) to value. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String v = line.substring(space + 1);
            out.put(line.substring(0, space), v.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(v));
        }
        return out;
    }

    private static double awaitValue(Metrics metrics, String series, double want) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        double v = parse(get(metrics, "/metrics").body).get(series);
        while (v != want && System.nanoTime() < deadline) {
            Thread.sleep(10);
            v = parse(get(metrics, "/metrics").body).get(series);
        }
        return v;
    }

    record Http(int status, String body) {}

    static HttpURLConnection open(Metrics metrics, String path) throws IOException {
        InetSocketAddress a = metrics.address();
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + a.getPort() + path).openConnection();
        c.setConnectTimeout(5000);
        c.setReadTimeout(5000);
        return c;
    }

    static Http get(Metrics metrics, String path) throws IOException {
        HttpURLConnection c = open(metrics, path);
        int status = c.getResponseCode();
        try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            return new Http(status, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
