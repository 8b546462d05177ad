package io.github.a6sdk.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.testkit.plugins.Boom_Descriptor;
import io.github.a6sdk.testkit.plugins.Rewrite_Descriptor;
import io.github.a6sdk.testkit.plugins.Say_Descriptor;
import io.github.a6sdk.testkit.plugins.Shout_Descriptor;
import io.github.a6sdk.testkit.plugins.Stamp_Descriptor;
import io.github.a6sdk.testkit.plugins.Whoami_Descriptor;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WireTest {
    static FakeApisix apisix;

    @BeforeAll
    static void start() {
        apisix = FakeApisix.start();
    }

    @AfterAll
    static void stop() {
        apisix.close();
    }

    @Test
    void requestStateCrossesPhasesOverTheProtocolAndCostsOtherChainsNothing() {
        FakeApisix.Route route = apisix.route("stamp", "");
        TestRequest req = TestRequest.get("/").header("x-stamp", "s1");
        route.request(req).assertPassed();
        assertEquals("s1", route.response(TestUpstream.ok().request(req)).header("x-stamp"));
        assertEquals("none", route.response(TestUpstream.ok().request(req)).header("x-stamp"), "ended by post-resp");
        assertEquals("none", route.response(TestUpstream.ok().request(TestRequest.get("/"))).header("x-stamp"));
        assertEquals(PluginChain.of(new Stamp_Descriptor(), "").request(req).toString(), route.request(req).toString());
    }

    @Test
    void sayOverTheSocket() {
        RequestOutcome.Stop stop = apisix.route("say", "{\"body\":\"hello\"}").request(TestRequest.get("/")).stopped();
        assertEquals(200, stop.status());
        assertEquals("hello", stop.bodyAsString());
        assertEquals(List.of("one", "two"), stop.headerValues("x-same"));
    }

    @Test
    void sameOutcomeInMemoryAndOverTheWire() {
        String conf = "{\"path\":\"/new\",\"addHeaders\":{\"accept\":\"text/html\"},\"removeHeaders\":[\"cookie\"],"
                + "\"addArgs\":{\"tag\":\"c\"},\"removeArgs\":[\"flag\"],\"responseHeaders\":{\"x-r\":\"1\"},\"body\":\"b\"}";
        TestRequest req = TestRequest.post("/old?tag=a&flag").header("Accept", "application/json").header("Cookie", "c");
        RequestOutcome wire = apisix.route("rewrite", conf).request(req);
        RequestOutcome memory = PluginChain.of(new Rewrite_Descriptor(), conf).request(req);
        assertEquals(memory.toString(), wire.toString());
        assertEquals(memory.rewritten().headers(), wire.rewritten().headers());
        assertEquals(memory.rewritten().args(), wire.rewritten().args());
        assertEquals(List.of(new Field("accept", "application/json, text/html"), new Field("cookie", null)),
                wire.rewritten().headers());

        TestRequest who = TestRequest.post("/w?tag=x").sourceIp("2001:db8::1").header("x-user", "bo").body("data");
        assertEquals(PluginChain.of(new Whoami_Descriptor(), "").request(who).toString(),
                apisix.route("whoami", "").request(who).toString());
        assertEquals("ip=2001:db8:0:0:0:0:0:1 user=bo tag=x method=POST path=/w src=2001:db8:0:0:0:0:0:1 args=[x] body=data",
                apisix.route("whoami", "").request(who).stopped().bodyAsString());
    }

    @Test
    void chainOfSeveralPlugins() {
        RequestOutcome out = apisix.route("rewrite", "{\"setHeaders\":{\"x\":\"1\"}}").then("say", "{\"body\":\"s\"}")
                .request(TestRequest.get("/"));
        assertEquals("s", out.stopped().bodyAsString());
        apisix.route("rewrite", "{}").request(TestRequest.get("/")).assertPassed();
    }

    @Test
    void responsePhase() {
        TestUpstream up = TestUpstream.status(500).header("Content-Type", "text/plain").body("down");
        ResponseOutcome wire = apisix.route("shout", "{\"status\":503,\"tag\":\"x\"}").response(up);
        ResponseOutcome memory = PluginChain.of(new Shout_Descriptor(), "{\"status\":503,\"tag\":\"x\"}").response(up);
        assertEquals(memory.toString(), wire.toString());
        assertEquals(503, wire.status());
        assertEquals("DOWN", wire.bodyAsString());
        assertEquals("x", wire.header("X-Shout"));
    }

    @Test
    void failuresBecome503() {
        RequestOutcome out = apisix.route("boom", "").request(TestRequest.get("/"));
        assertEquals("the runner answered SERVICE_UNAVAILABLE (APISIX answers the client 503): the runner logged: SEVERE"
                + " HTTPReqCall 1: plugin \"boom\" threw java.lang.IllegalStateException: boom in the request phase;"
                + " answering SERVICE_UNAVAILABLE", out.failure());
        assertTrue(apisix.route("boom", "").response(TestUpstream.ok()).isFailed());
        // a config the runner rejects at PrepareConf
        assertEquals("the runner answered BAD_REQUEST (APISIX answers the client 503): plugin \"say\": bad config at"
                + " $.body: expected a string but was a number",
                apisix.route("say", "{\"body\":7}").request(TestRequest.get("/")).failure());
    }

    @Test
    void tokensAreCachedAndRetriedAfterTheRunnerForgetsThem() {
        try (FakeApisix own = FakeApisix.start(new Say_Descriptor(), new Boom_Descriptor())) {
            FakeApisix.Route route = own.route("say", "{\"body\":\"again\"}");
            route.request(TestRequest.get("/"));
            route.request(TestRequest.get("/"));
            assertEquals(1, own.prepareCount(), "a cached token is reused");
            assertEquals(0, own.retryCount());

            own.restartRunner();
            assertEquals("again", route.request(TestRequest.get("/")).stopped().bodyAsString());
            assertEquals(1, own.retryCount(), "CONF_TOKEN_NOT_FOUND is retried once");
            assertEquals(2, own.prepareCount());

            own.forgetTokens();
            route.request(TestRequest.get("/"));
            assertEquals(3, own.prepareCount());
        }
    }

    @Test
    void everyRouteKeepsItsOwnAnswerThroughAReloadThatKeepsTheTokens() {
        // APISIX keeps its tokens across a reload; the new runner prepares other routes first. An old
        // token must never be answered with another route's chain (it was, when tokens restarted at 1).
        try (FakeApisix own = FakeApisix.start(new Say_Descriptor())) {
            List<FakeApisix.Route> old = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                FakeApisix.Route r = own.route("say", "{\"body\":\"old-" + i + "\"}");
                assertEquals("old-" + i, r.request(TestRequest.get("/")).stopped().bodyAsString());
                old.add(r);
            }
            own.restartRunner(FakeApisix.Restart.RELOAD);
            for (int i = 0; i < 16; i++) {
                assertEquals("new-" + i, own.route("say", "{\"body\":\"new-" + i + "\"}")
                        .request(TestRequest.get("/")).stopped().bodyAsString());
            }
            int retriesBefore = own.retryCount();
            for (int i = 0; i < 16; i++) {
                assertEquals("old-" + i, old.get(i).request(TestRequest.get("/")).stopped().bodyAsString(),
                        "route " + i + " after the reload");
            }
            assertTrue(own.retryCount() > retriesBefore, "the old tokens were answered CONF_TOKEN_NOT_FOUND and retried");
        }
    }

    @Test
    void aRespawnFlushesTheTokensSoEveryRouteIsPreparedAgain() {
        try (FakeApisix own = FakeApisix.start(new Say_Descriptor())) {
            FakeApisix.Route route = own.route("say", "{\"body\":\"again\"}");
            route.request(TestRequest.get("/"));
            own.restartRunner(FakeApisix.Restart.RESPAWN);
            assertEquals("again", route.request(TestRequest.get("/")).stopped().bodyAsString());
            assertEquals(0, own.retryCount(), "no stale token was sent: APISIX flushed them on the runner's exit");
            assertEquals(2, own.prepareCount());
        }
    }

    @Test
    void connectsToARunnerStartedElsewhere() {
        try (FakeApisix other = FakeApisix.connect(apisix.socket())) {
            assertEquals("x", other.route("say", "{\"body\":\"x\"}").request(TestRequest.get("/")).stopped().bodyAsString());
        }
    }
}
