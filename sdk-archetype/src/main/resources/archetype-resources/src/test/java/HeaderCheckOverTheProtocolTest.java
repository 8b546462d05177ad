package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.a6sdk.testkit.FakeApisix;
import io.github.a6sdk.testkit.RequestOutcome;
import io.github.a6sdk.testkit.TestRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The plugin through a real runner on a unix socket, with APISIX played by the test kit. */
class HeaderCheckOverTheProtocolTest {
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
    void passesOrStopsOnTheSameRoute() {
        FakeApisix.Route route = apisix.route("header-check", "{\"header\":\"x-api-key\",\"keys\":{\"s3cret\":\"alice\"}}");
        assertEquals("alice", route.request(TestRequest.get("/orders").header("x-api-key", "s3cret")).rewritten()
                .header("x-consumer"));
        RequestOutcome.Stop stop = route.request(TestRequest.get("/orders")).stopped();
        assertEquals(401, stop.status());
        assertEquals("{\"error\":\"unauthorized\",\"message\":\"missing x-api-key\"}", stop.bodyAsString());
    }

    @Test
    void aBadConfigFailsClosed() {
        // The runner rejects the route's config (APISIX then answers 503); the test kit keeps the runner's
        // log line out of the build's output and gives the reason here.
        RequestOutcome out = apisix.route("header-check", "{\"header\":\"x-api-key\"}").request(TestRequest.get("/"));
        assertEquals(RequestOutcome.Action.FAIL, out.action());
        assertEquals("$.keys", out.configError().path());
    }
}
