package io.github.a6sdk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.a6sdk.testkit.FakeApisix;
import io.github.a6sdk.testkit.RequestOutcome;
import io.github.a6sdk.testkit.TestRequest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** forward-auth through a real runner on a unix socket, against a real local auth service. */
class ForwardAuthOverTheProtocolTest {
    static AuthService auth;
    static FakeApisix apisix;

    @BeforeAll
    static void start() throws Exception {
        auth = new AuthService();
        // The start hook runs before the runner binds, with these settings instead of the environment.
        apisix = FakeApisix.start(Map.of("A6_PLUGIN_FORWARD_AUTH_URI", auth.url("/allow"),
                "A6_PLUGIN_FORWARD_AUTH_CONNECT_TIMEOUT_MS", "500"));
    }

    @AfterAll
    static void stop() {
        apisix.close(); // closes forward-auth after the runner has stopped
        auth.close();
    }

    @Test
    void allowedThenRewrittenByTheNextPlugin() {
        FakeApisix.Route route = apisix.route("forward-auth", "{\"upstreamHeaders\":[\"x-user-id\"]}")
                .then("rewrite", "{\"path\":\"/v2/orders\"}");
        RequestOutcome.Rewrite rw = route.request(TestRequest.get("/orders").header("x-user-id", "mallory")).rewritten();
        assertEquals("alice", rw.header("x-user-id"));
        assertEquals("/v2/orders", rw.path());
    }

    @Test
    void deniedWithTheServicesAnswer() {
        RequestOutcome.Stop stop = apisix.route("forward-auth", "{\"uri\":\"" + auth.url("/deny") + "\","
                + "\"clientHeaders\":[\"www-authenticate\"]}").request(TestRequest.get("/")).stopped();
        assertEquals(401, stop.status());
        assertEquals("bad token", stop.bodyAsString());
        assertEquals("Bearer", stop.header("www-authenticate"));
    }

    @Test
    void downFailsClosedAndFailOpenPasses() throws Exception {
        String down = AuthService.downUrl();
        assertEquals(503, apisix.route("forward-auth", "{\"uri\":\"" + down + "\"}")
                .request(TestRequest.get("/")).stopped().status());
        apisix.route("forward-auth", "{\"uri\":\"" + down + "\",\"failOpen\":true}").request(TestRequest.get("/"))
                .assertPassed();
    }

    @Test
    void slowGetsAnAnswerOnceTheRoutesTimeoutIsOver() {
        assertEquals(503, apisix.route("forward-auth", "{\"uri\":\"" + auth.url("/slow") + "\",\"timeoutMs\":200}")
                .request(TestRequest.get("/")).stopped().status());
    }
}
