package io.github.a6sdk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.Headers;
import io.github.a6sdk.testkit.PluginChain;
import io.github.a6sdk.testkit.RequestOutcome;
import io.github.a6sdk.testkit.StartedPlugins;
import io.github.a6sdk.testkit.TestRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** forward-auth in memory, against a real local auth service. */
class ForwardAuthTest {
    static AuthService auth;
    static ForwardAuth_Descriptor plugin;
    static StartedPlugins started;

    @BeforeAll
    static void start() throws Exception {
        auth = new AuthService();
        plugin = new ForwardAuth_Descriptor();
        started = StartedPlugins.start(Map.of("A6_PLUGIN_FORWARD_AUTH_URI", auth.url("/allow"),
                "A6_PLUGIN_FORWARD_AUTH_CONNECT_TIMEOUT_MS", "500"), plugin);
    }

    @AfterAll
    static void stop() {
        started.close();
        auth.close();
    }

    private static PluginChain route(String json) {
        return PluginChain.of(plugin, json);
    }

    private static String config(String uri, String more) {
        return "{\"uri\":\"" + uri + "\",\"requestHeaders\":[\"Authorization\"],\"upstreamHeaders\":[\"x-user-id\"],"
                + "\"clientHeaders\":[\"www-authenticate\"]" + more + "}";
    }

    @Test
    void a2xxLetsTheRequestGoOnWithTheChosenHeadersOfTheAnswer() {
        int before = auth.seen.size();
        RequestOutcome.Rewrite rw = route(config(auth.url("/allow"), ""))
                .request(TestRequest.get("/orders?page=2").header("authorization", "Bearer t").header("cookie", "c=1")
                        .header("host", "shop.example").sourceIp("192.0.2.7"))
                .rewritten();
        assertEquals("alice", rw.header("x-user-id"));
        assertNull(rw.header("x-internal"), "only the chosen headers are copied");
        Headers sent = auth.seen.get(before);
        assertEquals("Bearer t", sent.getFirst("Authorization"));
        assertNull(sent.getFirst("Cookie"), "only the chosen request headers are sent");
        assertEquals("GET", sent.getFirst("X-Forwarded-Method"));
        assertEquals("/orders?page=2", sent.getFirst("X-Forwarded-Uri"));
        assertEquals("shop.example", sent.getFirst("X-Forwarded-Host"));
        assertEquals("192.0.2.7", sent.getFirst("X-Forwarded-For"));
    }

    @Test
    void aClientCannotSupplyAnUpstreamHeaderItselfWhenTheAnswerLacksIt() {
        RequestOutcome.Rewrite rw = route("{\"uri\":\"" + auth.url("/allow") + "\",\"upstreamHeaders\":[\"x-user-id\","
                + "\"x-roles\"]}")
                .request(TestRequest.get("/").header("x-roles", "admin").header("x-user-id", "mallory"))
                .rewritten();
        assertEquals("alice", rw.header("x-user-id"));
        assertEquals(Set.of("x-roles"), rw.headersRemoved());
    }

    @Test
    void anyOtherAnswerStopsTheRequestWithItsStatusBodyAndChosenHeaders() {
        RequestOutcome.Stop stop = route(config(auth.url("/deny"), ""))
                .request(TestRequest.get("/orders").header("authorization", "Bearer wrong"))
                .stopped();
        assertEquals(401, stop.status());
        assertEquals("bad token", stop.bodyAsString());
        assertEquals("Bearer", stop.header("WWW-Authenticate"));
        assertNull(stop.header("X-Internal"));
    }

    @Test
    void aServiceThatIsDownGets503AndALogLineAtMostOnceASecond() throws Exception {
        ForwardAuth_Descriptor own = new ForwardAuth_Descriptor(); // its own log limit, untouched by other tests
        StartedPlugins ownStart = StartedPlugins.start(Map.of(), own);
        try (Captured log = new Captured()) {
            PluginChain down = PluginChain.of(own, config(AuthService.downUrl(), ""));
            assertEquals(503, down.request(TestRequest.get("/")).stopped().status());
            assertEquals(503, down.request(TestRequest.get("/")).stopped().status());
            List<String> lines = log.lines();
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).matches("auth service http://127\\.0\\.0\\.1:\\d+/check failed:"
                    + " java\\.net\\.ConnectException.*; answering 503 \\(failures since the last such line: 1\\)"),
                    lines.get(0));
        } finally {
            ownStart.close();
        }
    }

    @Test
    void failOpenLetsTheRequestPassWhenTheServiceIsDown() throws Exception {
        route(config(AuthService.downUrl(), ",\"failOpen\":true")).request(TestRequest.get("/")).assertPassed();
    }

    @Test
    void aSlowServiceGetsTheConfiguredStatusOnceTheTimeoutIsOver() {
        // The service would allow after 3 s; the route waits 200 ms.
        RequestOutcome.Stop stop = route(config(auth.url("/slow"), ",\"timeoutMs\":200,\"statusOnError\":504"))
                .request(TestRequest.get("/")).stopped();
        assertEquals(504, stop.status());
    }

    @Test
    void theServiceComesFromThePluginSettingWhenTheRouteNamesNone() {
        RequestOutcome.Rewrite rw = route("{\"upstreamHeaders\":[\"x-user-id\"]}").request(TestRequest.get("/")).rewritten();
        assertEquals("alice", rw.header("x-user-id"));
    }

    @Test
    void withNoServiceAnywhereTheCallFailsWithAClearMessage() {
        ForwardAuth_Descriptor bare = new ForwardAuth_Descriptor();
        StartedPlugins bareStart = StartedPlugins.start(Map.of(), bare);
        try {
            RequestOutcome out = PluginChain.of(bare, "{}").request(TestRequest.get("/"));
            assertEquals(RequestOutcome.Action.FAIL, out.action());
            assertTrue(out.failure().contains("no auth service: set \"uri\" in the route config or"
                    + " A6_PLUGIN_FORWARD_AUTH_URI"), out.failure());
        } finally {
            bareStart.close();
        }
    }

    @Test
    void badRouteConfigsAreRejectedAtPrepareConf() {
        assertTrue(PluginChain.configError(plugin, "{\"uri\":\"auth:9000\"}").getMessage()
                .contains("uri must be an absolute http or https URL"));
        assertTrue(PluginChain.configError(plugin, "{\"requestHeaders\":[\"Host\"]}").getMessage()
                .contains("requestHeaders cannot forward \"host\""));
        assertTrue(PluginChain.configError(plugin, "{\"timeoutMs\":0}").getMessage()
                .contains("timeoutMs must be from 1 to 60000, got 0"));
        assertTrue(PluginChain.configError(plugin, "{\"target\":\"x\"}").getMessage().contains("unknown field \"target\""));
    }

    @Test
    void aBadSettingStopsTheStartNamingTheVariable() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StartedPlugins.start(
                Map.of("A6_PLUGIN_FORWARD_AUTH_CONNECT_TIMEOUT_MS", "soon"), new ForwardAuth_Descriptor()));
        assertEquals("plugin \"forward-auth\" (io.github.a6sdk.examples.ForwardAuth) failed to start:"
                + " A6_PLUGIN_FORWARD_AUTH_CONNECT_TIMEOUT_MS must be a whole number from 1 to 60000, got \"soon\"",
                e.getMessage());
        IllegalStateException uri = assertThrows(IllegalStateException.class, () -> StartedPlugins.start(
                Map.of("A6_PLUGIN_FORWARD_AUTH_URI", "ftp://auth"), new ForwardAuth_Descriptor()));
        assertTrue(uri.getMessage().endsWith("A6_PLUGIN_FORWARD_AUTH_URI must be an absolute http or https URL such as"
                + " http://auth:9000/check, got \"ftp://auth\""), uri.getMessage());
    }

    @Test
    void theClientIsBuiltByTheFirstCallAndACallAfterCloseGetsNoNewOne() {
        // Its own plugin instance: the shared one stays open for the other tests.
        ForwardAuth_Descriptor own = new ForwardAuth_Descriptor();
        StartedPlugins ownStart = StartedPlugins.start(Map.of("A6_PLUGIN_FORWARD_AUTH_URI", auth.url("/allow")), own);
        int before = auth.seen.size();
        PluginChain.of(own, config(auth.url("/allow"), "")).request(TestRequest.get("/a")).rewritten();
        assertEquals(before + 1, auth.seen.size(), "the first call built the client and asked the service");
        ownStart.close();
        RequestOutcome late = PluginChain.of(own, config(auth.url("/allow"), "")).request(TestRequest.get("/b"));
        assertTrue(late.failure().contains("forward-auth is closed"), late.failure());
        assertEquals(before + 1, auth.seen.size(), "no request after close");
    }

    @Test
    void withoutStartTheCallFailsSayingSo() {
        RequestOutcome out = PluginChain.of(new ForwardAuth_Descriptor(), "{}").request(TestRequest.get("/"));
        assertTrue(out.failure().contains("forward-auth was not started"), out.failure());
    }

    /** Collects what the plugin logs through its context's logger. */
    static final class Captured extends Handler implements AutoCloseable {
        private final Logger logger = Logger.getLogger("a6.plugin.forward-auth");
        private final List<String> lines = new ArrayList<>();

        Captured() {
            setLevel(Level.ALL);
            logger.addHandler(this);
        }

        @Override
        public synchronized void publish(LogRecord r) {
            lines.add(new java.util.logging.SimpleFormatter().formatMessage(r));
        }

        synchronized List<String> lines() {
            return new ArrayList<>(lines);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }
}
