package io.github.a6sdk.runtime.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.Runner;
import io.github.a6sdk.runtime.RunnerConfig;
import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A6_CALL_TIMEOUT_MS: its default, its bounds, and that 0 turns the watchdog off. */
class CallTimeoutConfigTest {
    @TempDir Path dir;

    private static RunnerConfig config(Map<String, String> env) {
        java.util.HashMap<String, String> all = new java.util.HashMap<>(env);
        all.put("APISIX_LISTEN_ADDRESS", "unix:/tmp/x.sock");
        return RunnerConfig.fromEnvironment(all);
    }

    @Test
    void defaultsToALittleUnderApisixsSixtySecondReadTimeout() {
        long ms = config(Map.of()).callTimeoutMillis();
        assertEquals(55_000, ms);
        assertTrue(ms < 60_000);
        assertEquals(250, config(Map.of("A6_CALL_TIMEOUT_MS", "250")).callTimeoutMillis());
        assertEquals(0, config(Map.of("A6_CALL_TIMEOUT_MS", "0")).callTimeoutMillis());
    }

    @Test
    void rejectsNonsenseWithAMessageNamingTheVariable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config(Map.of("A6_CALL_TIMEOUT_MS", "-1")));
        assertTrue(e.getMessage().contains("A6_CALL_TIMEOUT_MS"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> config(Map.of("A6_CALL_TIMEOUT_MS", "soon")));
        assertTrue(e.getMessage().contains("A6_CALL_TIMEOUT_MS must be a whole number"), e.getMessage());
    }

    @Test
    @Timeout(30)
    void zeroTurnsTheWatchdogOff() throws Exception {
        Path sock = dir.resolve("t.sock");
        TestPlugin slowish = TestPlugin.request("slowish", (c, req, resp) -> {
            Thread.sleep(400);
            resp.setStatus(200);
            resp.setBody("done".getBytes(StandardCharsets.UTF_8));
        });
        try (Runner runner = Harness.start(sock, Harness.withEcho(slowish), Map.of("A6_CALL_TIMEOUT_MS", "0"))) {
            long token = Harness.prepare(sock, "slowish", "");
            try (ApisixClient c = ApisixClient.connect(sock)) {
                Reply r = c.call(token, new CallRequest(), new ExtraInfoAnswers());
                assertEquals("done", assertInstanceOf(Reply.Stop.class, r).bodyAsString());
            }
        }
        // The same call under a 100 ms limit is abandoned.
        try (Runner runner = Harness.start(sock, Harness.withEcho(slowish), Map.of("A6_CALL_TIMEOUT_MS", "100"))) {
            long token = Harness.prepare(sock, "slowish", "");
            try (ApisixClient c = ApisixClient.connect(sock)) {
                Reply r = c.call(token, new CallRequest(), new ExtraInfoAnswers());
                assertEquals(1, assertInstanceOf(Reply.Error.class, r).code());
            }
        }
    }
}
