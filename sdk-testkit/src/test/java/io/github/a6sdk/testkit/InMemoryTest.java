package io.github.a6sdk.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.api.NoConfig;
import io.github.a6sdk.testkit.plugins.Boom_Descriptor;
import io.github.a6sdk.testkit.plugins.Kitchen_Descriptor;
import io.github.a6sdk.testkit.plugins.Rewrite_Descriptor;
import io.github.a6sdk.testkit.plugins.Say;
import io.github.a6sdk.testkit.plugins.Say_Descriptor;
import io.github.a6sdk.testkit.plugins.Shout_Descriptor;
import io.github.a6sdk.testkit.plugins.Stamp_Descriptor;
import io.github.a6sdk.testkit.plugins.Whoami_Descriptor;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InMemoryTest {

    @Test
    void sayStopsWithItsBodyDefaultStatusAndMultiValueHeader() {
        RequestOutcome out = PluginChain.of(new Say_Descriptor(), "{\"body\":\"hello\"}").request(TestRequest.get("/hi"));
        RequestOutcome.Stop stop = out.stopped();
        assertEquals(200, stop.status());
        assertEquals(0, stop.wireStatus());
        assertEquals("hello", stop.bodyAsString());
        assertEquals("Java", stop.header("x-resp-a6-runner"));
        assertEquals(List.of("one", "two"), stop.headerValues("X-Same"));
        AssertionError e = assertThrows(AssertionError.class, out::rewritten);
        assertTrue(e.getMessage().contains("expected the request to be rewritten but it was stopped with 200"), e.getMessage());
    }

    @Test
    void configAsRecordSkipsParsing() {
        RequestOutcome out = PluginChain.of(new Say_Descriptor(), new Say.Config("rec", 418)).request(TestRequest.get("/"));
        assertEquals(418, out.stopped().status());
        assertEquals("rec", out.stopped().bodyAsString());
    }

    @Test
    void configTextIsParsedAndValidatedLikePrepareConf() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PluginChain.of(new Say_Descriptor(), "{\"body\":1}"));
        assertEquals("plugin \"say\": bad config at $.body: expected a string but was a number", e.getMessage());
        ConfigException ce = PluginChain.configError(new Say_Descriptor(), "{\"status\":99}");
        assertEquals("$.status", ce.path()); // the record's message starts with the component's name
        assertTrue(ce.getMessage().contains("status must be 100 to 599, got 99"), ce.getMessage());
        assertThrows(AssertionError.class, () -> PluginChain.configError(new Say_Descriptor(), "{\"body\":\"ok\"}"));
    }

    @Test
    void rewriteCarriesWhatTheWireCarries() {
        String conf = "{\"path\":\"/new\",\"setHeaders\":{\"x-set\":\"v\"},\"addHeaders\":{\"accept\":\"text/html\"},"
                + "\"removeHeaders\":[\"cookie\"],\"setArgs\":{\"page\":\"3\"},\"addArgs\":{\"tag\":\"c\"},"
                + "\"removeArgs\":[\"flag\"],\"responseHeaders\":{\"x-resp\":\"r\"},\"body\":\"new body\"}";
        TestRequest req = TestRequest.post("/old?page=1&tag=a&tag=b&flag").header("Accept", "application/json")
                .header("Cookie", "c=1").header("X-Keep", "k").body("old");
        RequestOutcome.Rewrite rw = PluginChain.of(new Rewrite_Descriptor(), conf).request(req).rewritten();
        assertEquals("/new", rw.path());
        // one entry per changed name; a header given another value is joined with ", "; removed = no value
        assertEquals(List.of(new Field("x-set", "v"), new Field("accept", "application/json, text/html"),
                new Field("cookie", null)), rw.headers());
        assertEquals("application/json, text/html", rw.header("Accept"));
        assertEquals(Set.of("cookie"), rw.headersRemoved());
        assertNull(rw.header("x-keep"));
        assertEquals(List.of(new Field("page", "3"), new Field("tag", "a"), new Field("tag", "b"), new Field("tag", "c"),
                new Field("flag", null)), rw.args());
        assertEquals(List.of("a", "b", "c"), rw.arg("tag"));
        assertEquals(Set.of("flag"), rw.argsRemoved());
        assertEquals("r", rw.responseHeader("X-Resp"));
        assertEquals("new body", rw.bodyAsString());
    }

    @Test
    void aRequestsPhasesShareRequestStateThroughItsTestRequest() {
        PluginChain preReq = PluginChain.of(new Stamp_Descriptor(), "");
        PluginChain postResp = PluginChain.of(new Stamp_Descriptor(), new NoConfig());  // another chain object
        TestRequest first = TestRequest.get("/").header("x-stamp", "one");
        TestRequest second = TestRequest.get("/").header("x-stamp", "two");
        preReq.request(first).assertPassed();
        preReq.request(second).assertPassed();
        assertEquals("one", postResp.response(TestUpstream.ok().request(first)).header("x-stamp"));
        assertEquals("two", postResp.response(TestUpstream.ok().request(second)).header("x-stamp"));
        assertEquals("none", postResp.response(TestUpstream.ok().request(first)).header("x-stamp"),
                "the post-resp call ended the request's state");
        assertEquals("none", postResp.response(TestUpstream.ok()).header("x-stamp"),
                "a response with no request has no state: an empty result, not an error");
        TestRequest fixed = TestRequest.get("/").header("x-stamp", "3").requestId("0123456789abcdef0123456789abcdef");
        preReq.request(fixed).assertPassed();
        assertEquals("3", postResp.response(TestUpstream.ok().var("request_id", "0123456789abcdef0123456789abcdef"))
                .header("x-stamp"), "the state is keyed by the request_id variable");
    }

    @Test
    void untouchedRequestPasses() {
        RequestOutcome out = PluginChain.of(new Rewrite_Descriptor(), "{}").request(TestRequest.get("/"));
        assertTrue(out.isPassed());
        out.assertPassed();
        assertThrows(AssertionError.class, out::stopped);
    }

    @Test
    void chainRunsInOrderAndStopEndsIt() {
        PluginChain chain = PluginChain.of(new Rewrite_Descriptor(), "{\"setHeaders\":{\"x-a\":\"1\"}}")
                .then(new Say_Descriptor(), "{\"body\":\"stopped\"}")
                .then(new Boom_Descriptor(), "");
        assertEquals(List.of("rewrite", "say", "boom"), chain.names());
        assertEquals("stopped", chain.request(TestRequest.get("/")).stopped().bodyAsString());
        PluginChain mixed = PluginChain.of(new Rewrite_Descriptor(), "{\"setHeaders\":{\"x-a\":\"1\"}}")
                .then(new Say_Descriptor(), new Say.Config("rec", null));
        assertEquals("rec", mixed.request(TestRequest.get("/")).stopped().bodyAsString());
    }

    @Test
    void pluginThatThrowsFailsTheCall() {
        RequestOutcome out = PluginChain.of(new Boom_Descriptor(), "{}").request(TestRequest.get("/"));
        assertTrue(out.isFailed());
        assertTrue(out.failure().contains("boom in the request phase"), out.failure());
        assertInstanceOf(IllegalStateException.class, out.failureCause());
        AssertionError e = assertThrows(AssertionError.class, out::stopped);
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    @Test
    void varsAndBodyComeFromTheTestOrAreDerivedFromTheRequest() {
        RequestOutcome.Stop stop = PluginChain.of(new Whoami_Descriptor(), "")
                .request(TestRequest.post("/w?tag=x&tag=y").sourceIp("10.1.2.3").header("X-User", "ann").body("payload"))
                .stopped();
        assertEquals(203, stop.status());
        assertEquals("ip=10.1.2.3 user=ann tag=x method=POST path=/w src=10.1.2.3 args=[x, y] body=payload",
                stop.bodyAsString());
        String explicit = PluginChain.of(new Whoami_Descriptor(), "")
                .request(TestRequest.get("/").var("remote_addr", "192.0.2.1").var("http_x_user", null))
                .stopped().bodyAsString();
        assertEquals("ip=192.0.2.1 user=null tag=null method=GET path=/ src=127.0.0.1 args=[] body=null", explicit);
    }

    @Test
    void pluginsAreFoundByNameOnTheClassPath() {
        assertEquals("by name", PluginChain.of("say", "{\"body\":\"by name\"}").request(TestRequest.get("/"))
                .stopped().bodyAsString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PluginChain.of("nope", "{}"));
        assertTrue(e.getMessage().contains("no such plugin \"nope\""), e.getMessage());
    }

    @Test
    void responsePhaseChangesWhatTheClientGets() {
        TestUpstream upstream = TestUpstream.status(200).header("Content-Type", "text/plain").header("X-Up", "1")
                .body("quiet");
        ResponseOutcome out = PluginChain.of(new Shout_Descriptor(), "{\"status\":201,\"tag\":\"t\"}").response(upstream);
        assertEquals(201, out.status());
        assertEquals("QUIET", out.bodyAsString());
        // a changed header sends the whole set, so the upstream headers survive
        assertEquals("t", out.header("x-shout"));
        assertEquals("1", out.header("x-up"));
        assertEquals("text/plain", out.header("content-type"));

        ResponseOutcome keep = PluginChain.of(new Shout_Descriptor(), "{\"status\":0}").response(upstream);
        assertEquals(0, keep.wireStatus());
        assertEquals(200, keep.status());
        assertTrue(keep.wireHeaders().isEmpty());
        // APISIX copies the upstream headers but not Content-Type when the reply names none
        assertEquals(List.of(new Field("X-Up", "1")), keep.headers());
        assertFalse(keep.isFailed());
    }

    @Test
    void responsePhaseFailure() {
        ResponseOutcome out = PluginChain.of(new Boom_Descriptor(), "{}").response(TestUpstream.ok().body("b"));
        assertTrue(out.isFailed());
        assertTrue(out.failure().contains("boom in the response phase"), out.failure());
        assertThrows(AssertionError.class, out::status);
    }

    @Test
    void requestOnlyPluginInResponsePhaseFailsClearly() {
        ResponseOutcome out = PluginChain.of(new Kitchen_Descriptor(),
                "{\"enabled\":true,\"count\":1,\"big\":2,\"ratio\":0.5}").response(TestUpstream.ok());
        assertTrue(out.failure().contains("has no response filter"), out.failure());
    }
}
