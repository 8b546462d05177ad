package com.example.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.testkit.FakeApisix;
import io.github.a6sdk.testkit.PluginChain;
import io.github.a6sdk.testkit.RequestOutcome;
import io.github.a6sdk.testkit.TestRequest;
import org.junit.jupiter.api.Test;

/** The sample plugin's tests, on the test kit: in memory, then over the real protocol. */
class HelloTest {
    private static final String CONFIG = "{\"name\":\"APISIX\",\"prefix\":\"/hi\"}";

    @Test
    void greetsUnderItsPrefix() {
        RequestOutcome.Stop stop = PluginChain.of(new Hello_Descriptor(), CONFIG)
                .request(TestRequest.get("/hi/there"))
                .stopped();
        assertEquals(200, stop.status());
        assertEquals("Hello, APISIX!", stop.bodyAsString());
        assertEquals("text/plain", stop.header("Content-Type"));
    }

    @Test
    void passesOtherPaths() {
        PluginChain.of(new Hello_Descriptor(), CONFIG)
                .request(TestRequest.get("/other"))
                .assertPassed();
    }

    @Test
    void aConfigWithoutANameIsRejectedBeforeDeployment() {
        ConfigException e = PluginChain.configError(new Hello_Descriptor(), "{\"prefix\":\"/hi\"}");
        assertEquals("hello", e.plugin());
        assertTrue(e.getMessage().contains("name is required"), e.getMessage());
        assertEquals("$.nmae", PluginChain.configError(new Hello_Descriptor(), "{\"nmae\":\"typo\"}").path());
    }

    @Test
    void greetsOverTheProtocol() {
        try (FakeApisix apisix = FakeApisix.start()) {
            FakeApisix.Route route = apisix.route("hello", CONFIG);
            assertEquals("Hello, APISIX!", route.request(TestRequest.get("/hi")).stopped().bodyAsString());
            route.request(TestRequest.get("/elsewhere")).assertPassed();
        }
    }
}
