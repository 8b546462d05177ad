package io.github.a6sdk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.a6sdk.testkit.FakeApisix;
import io.github.a6sdk.testkit.RequestOutcome;
import io.github.a6sdk.testkit.ResponseOutcome;
import io.github.a6sdk.testkit.TestRequest;
import io.github.a6sdk.testkit.TestUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every example through a real runner on a unix socket, with APISIX played by the test kit. */
class ExamplesOverTheProtocolTest {
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
    void say() {
        RequestOutcome.Stop stop = apisix.route("say", "{\"body\":\"hello\"}").request(TestRequest.get("/get")).stopped();
        assertEquals("hello", stop.bodyAsString());
        assertEquals("Java", stop.header("X-Resp-A6-Runner"));
    }

    @Test
    void authThenRewriteInOneChain() {
        FakeApisix.Route route = apisix.route("token-auth", "{\"header\":\"x-api-key\",\"tokens\":[\"k\"]}")
                .then("rewrite", "{\"path\":\"/v2/orders\",\"removeHeaders\":[\"x-api-key\"]}");
        assertEquals(401, route.request(TestRequest.get("/orders")).stopped().status());
        RequestOutcome.Rewrite rw = route.request(TestRequest.get("/orders").header("x-api-key", "k")).rewritten();
        assertEquals("/v2/orders", rw.path());
        assertEquals(java.util.Set.of("x-api-key"), rw.headersRemoved());
    }

    @Test
    void clientInfoAsksApisixForTheAddressAndTheBody() {
        RequestOutcome.Rewrite rw = apisix.route("client-info", "")
                .request(TestRequest.post("/").sourceIp("192.0.2.1").header("content-type", "text/plain").body("abc"))
                .rewritten();
        assertEquals("192.0.2.1", rw.header("x-client-addr"));
        assertEquals("3", rw.header("x-body-length"));
    }

    @Test
    void serverTimingCarriesTheStartFromPreReqToPostResp() throws Exception {
        FakeApisix.Route route = apisix.route("server-timing", "");
        TestRequest req = TestRequest.get("/orders");
        long before = System.nanoTime();
        route.request(req).assertPassed();
        Thread.sleep(20);
        ResponseOutcome out = route.response(TestUpstream.ok().request(req));
        double outer = (System.nanoTime() - before) / 1e6;
        double ms = ServerTimingTest.dur(out.header("Server-Timing"));
        org.junit.jupiter.api.Assertions.assertTrue(ms >= 20 && ms <= outer + 0.1, ms + " ms of " + outer);
        assertEquals(null, route.response(TestUpstream.ok().request(req)).header("Server-Timing"),
                "the post-resp call ended the request's state");
    }

    @Test
    void responseRewrite() {
        ResponseOutcome out = apisix.route("response-rewrite", "{\"header\":\"X-Filtered\",\"value\":\"yes\",\"find\":\"a\",\"replace\":\"b\"}")
                .response(TestUpstream.status(200).header("Content-Type", "text/plain").body("banana"));
        assertEquals("bbnbnb", out.bodyAsString());
        assertEquals("yes", out.header("x-filtered"));
        assertEquals("text/plain", out.header("content-type"));
    }

    @Test
    void rateLimitKeepsItsCounterPerPreparedRoute() {
        FakeApisix.Route route = apisix.route("rate-limit", "{\"limit\":1,\"windowSeconds\":3600}");
        route.request(TestRequest.get("/")).assertPassed();
        assertEquals(429, route.request(TestRequest.get("/")).stopped().status());
    }

    @Test
    void aBadConfigFailsClosed() {
        RequestOutcome out = apisix.route("token-auth", "{\"header\":\"x-api-key\"}").request(TestRequest.get("/"));
        assertEquals(RequestOutcome.Action.FAIL, out.action());
    }
}
