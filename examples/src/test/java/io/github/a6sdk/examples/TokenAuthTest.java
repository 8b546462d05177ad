package io.github.a6sdk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.testkit.PluginChain;
import io.github.a6sdk.testkit.RequestOutcome;
import io.github.a6sdk.testkit.TestRequest;
import org.junit.jupiter.api.Test;

class TokenAuthTest {
    private static final PluginChain AUTH =
            PluginChain.of(new TokenAuth_Descriptor(), "{\"header\":\"x-api-key\",\"tokens\":[\"s3cret\",\"other\"]}");

    @Test
    void aValidTokenPasses() {
        AUTH.request(TestRequest.get("/orders").header("x-api-key", "other")).assertPassed();
    }

    @Test
    void aMissingTokenGets401WithAJsonError() {
        RequestOutcome.Stop stop = AUTH.request(TestRequest.get("/orders")).stopped();
        assertEquals(401, stop.status());
        assertEquals("application/json", stop.header("Content-Type"));
        assertEquals("{\"error\":\"unauthorized\",\"message\":\"missing x-api-key\"}", stop.bodyAsString());
    }

    @Test
    void aWrongTokenGets401() {
        RequestOutcome.Stop stop = AUTH.request(TestRequest.get("/").header("x-api-key", "s3cre")).stopped();
        assertEquals(401, stop.status());
        assertTrue(stop.bodyAsString().contains("invalid x-api-key"), stop.bodyAsString());
    }

    @Test
    void aConfigWithoutTokensIsRejected() {
        String message = PluginChain.configError(new TokenAuth_Descriptor(), "{\"header\":\"x-api-key\",\"tokens\":[]}")
                .getMessage();
        assertTrue(message.contains("tokens must list at least one accepted token"), message);
    }
}
