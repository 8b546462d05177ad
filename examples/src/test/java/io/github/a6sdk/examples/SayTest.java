package io.github.a6sdk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.a6sdk.testkit.PluginChain;
import io.github.a6sdk.testkit.RequestOutcome;
import io.github.a6sdk.testkit.TestRequest;
import org.junit.jupiter.api.Test;

class SayTest {

    @Test
    void stopsWithTheConfiguredBodyAndTheRunnerHeader() {
        RequestOutcome.Stop stop = PluginChain.of(new Say_Descriptor(), "{\"body\":\"hello\"}")
                .request(TestRequest.get("/get"))
                .stopped();
        assertEquals(200, stop.status());
        assertEquals("hello", stop.bodyAsString());
        assertEquals("Java", stop.header("X-Resp-A6-Runner"));
    }

    @Test
    void aMissingBodyStillStopsButWithNoBody() {
        RequestOutcome.Stop stop = PluginChain.of(new Say_Descriptor(), "").request(TestRequest.get("/")).stopped();
        assertEquals(200, stop.status());
        // APISIX sends no body for an empty one (docs/protocol.md 5.2)
        assertEquals(0, stop.body() == null ? 0 : stop.body().length);
    }

    @Test
    void aTypoInTheConfigIsAnErrorNamingTheField() {
        assertEquals("$.bdy", PluginChain.configError(new Say_Descriptor(), "{\"bdy\":\"hello\"}").path());
    }
}
