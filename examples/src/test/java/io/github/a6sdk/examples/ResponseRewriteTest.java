package io.github.a6sdk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.testkit.PluginChain;
import io.github.a6sdk.testkit.ResponseOutcome;
import io.github.a6sdk.testkit.TestUpstream;
import org.junit.jupiter.api.Test;

class ResponseRewriteTest {
    private static final PluginChain CHAIN = PluginChain.of(new ResponseRewrite_Descriptor(),
            "{\"header\":\"X-Filtered\",\"value\":\"yes\",\"find\":\"secret\",\"replace\":\"******\"}");

    @Test
    void addsAHeaderKeepsTheUpstreamOnesAndRewritesTheBody() {
        ResponseOutcome out = CHAIN.response(TestUpstream.status(200)
                .header("Content-Type", "application/json").header("X-Upstream", "1")
                .body("{\"token\":\"secret\"}"));
        assertEquals(200, out.status());
        assertEquals("yes", out.header("X-Filtered"));
        assertEquals("application/json", out.header("content-type"), "upstream headers survive: " + out.headers());
        assertEquals("1", out.header("X-Upstream"));
        assertEquals("{\"token\":\"******\"}", out.bodyAsString());
    }

    @Test
    void leavesABodyWithoutTheTextAlone() {
        ResponseOutcome out = CHAIN.response(TestUpstream.status(404).body("not here"));
        assertEquals(404, out.status());
        assertEquals("not here", out.bodyAsString());
        assertEquals(0, out.wireBody() == null ? 0 : out.wireBody().length, "the upstream body is not resent");
    }

    @Test
    void declaresTheResponseBodyForPrefetch() {
        assertTrue(new ResponseRewrite_Descriptor().prefetchResponseBody());
    }
}
