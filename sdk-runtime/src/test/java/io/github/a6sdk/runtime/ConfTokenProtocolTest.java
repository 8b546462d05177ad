package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** PrepareConf and conf tokens over a real socket (docs/protocol.md section 4). */
@Timeout(30)
class ConfTokenProtocolTest {
    @TempDir Path dir;
    TestRunner runner;

    @BeforeEach
    void start() throws Exception {
        runner = TestRunner.start(dir,
                TestDescriptor.request("echo", (config, req, resp) -> resp.setBody(config)),
                TestDescriptor.request("other", (config, req, resp) -> resp.setStatus(204)));
    }

    @AfterEach
    void stop() {
        runner.close();
    }

    @Test
    void consecutivePrepareConfsGetDistinctIncreasingTokens() throws Exception {
        List<Long> tokens = new ArrayList<>();
        try (ApisixClient c = runner.client()) {
            for (int i = 0; i < 20; i++) {
                // The same key every time: the runner does not deduplicate, each gets its own token.
                tokens.add(assertInstanceOf(Reply.Token.class,
                        c.prepareConf("route#1#ext-plugin-pre-req#1", List.of(Field.of("echo", "c" + i)))).token());
            }
        }
        for (int i = 1; i < tokens.size(); i++) {
            assertTrue(tokens.get(i) > tokens.get(i - 1), "tokens " + tokens);
        }
        assertTrue(tokens.get(0) >= 1, "tokens start at 1, not 0");
        assertEquals(tokens.get(0) + 19, (long) tokens.get(19), "a counter, not random");
        // Each token keeps its own config.
        try (ApisixClient c = runner.client()) {
            for (int i = 0; i < tokens.size(); i++) {
                Reply.Stop s = assertInstanceOf(Reply.Stop.class, c.call(tokens.get(i), new CallRequest(), new ExtraInfoAnswers()));
                assertEquals("c" + i, s.bodyAsString());
            }
        }
    }

    @Test
    void anUnknownTokenIsConfTokenNotFound() throws Exception {
        long token = runner.prepare("echo", "x");
        try (ApisixClient c = runner.client()) {
            assertEquals(new Reply.Error(Rpc.ERR_CONF_TOKEN_NOT_FOUND),
                    c.call(token + 1000, new CallRequest(), new ExtraInfoAnswers()));
            assertEquals(new Reply.Error(Rpc.ERR_CONF_TOKEN_NOT_FOUND),
                    c.call(0, new CallRequest(), new ExtraInfoAnswers()), "token 0 (absent) was never given");
            assertEquals(new Reply.Error(Rpc.ERR_CONF_TOKEN_NOT_FOUND),
                    c.respCall(token + 1000, 1, 200, List.of(), new ExtraInfoAnswers()));
            // The connection goes on (APISIX would close it, but nothing is wrong with it).
            assertInstanceOf(Reply.Stop.class, c.call(token, new CallRequest(), new ExtraInfoAnswers()));
        }
    }

    @Test
    void aTokenFromOneConnectionWorksOnEveryOther() throws Exception {
        long token;
        try (ApisixClient prepare = runner.client()) {
            token = assertInstanceOf(Reply.Token.class,
                    prepare.prepareConf("k", List.of(Field.of("echo", "shared")))).token();
            // The PrepareConf connection stays open while others use the token, as in APISIX.
            List<ApisixClient> others = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    others.add(runner.client());
                }
                for (ApisixClient c : others) {
                    Reply.Stop s = assertInstanceOf(Reply.Stop.class, c.call(token, new CallRequest(), new ExtraInfoAnswers()));
                    assertEquals("shared", s.bodyAsString());
                }
            } finally {
                for (ApisixClient c : others) {
                    c.close();
                }
            }
            assertInstanceOf(Reply.Stop.class, prepare.call(token, new CallRequest(), new ExtraInfoAnswers()));
        }
        // and after that connection closed
        try (ApisixClient later = runner.client()) {
            assertInstanceOf(Reply.Stop.class, later.call(token, new CallRequest(), new ExtraInfoAnswers()));
        }
    }

    @Test
    void anUnknownPluginFailsClosedAndIsLogged() throws Exception {
        try (LogCapture log = new LogCapture(); ApisixClient c = runner.client()) {
            Reply r = c.prepareConf("route#7#ext-plugin-pre-req#2", List.of(Field.of("echo", "x"), Field.of("no-such-plugin", "{}")));
            assertInstanceOf(Reply.Error.class, r, "no token for a conf that cannot run");
            List<String> lines = log.matching("no-such-plugin", "no such plugin");
            assertFalse(lines.isEmpty(), "log: " + log.lines());
            assertTrue(lines.get(0).contains("route#7#ext-plugin-pre-req#2"), lines.get(0));
            assertTrue(lines.get(0).contains("echo") && lines.get(0).contains("other"), "lists the plugins it has: " + lines.get(0));
            // The connection goes on.
            Reply ok = c.prepareConf("k", List.of(Field.of("echo", "x")));
            assertInstanceOf(Reply.Token.class, ok);
        }
    }

    @Test
    void aBadConfigFailsClosedAndIsLogged() throws Exception {
        try (LogCapture log = new LogCapture(); ApisixClient c = runner.client()) {
            Reply r = c.prepareConf("route#8#ext-plugin-post-req#1", List.of(Field.of("other", ""), Field.of("echo", "bad")));
            assertEquals(new Reply.Error(Rpc.ERR_BAD_REQUEST), r);
            List<String> lines = log.matching("\"echo\"", "expected a JSON object");
            assertFalse(lines.isEmpty(), "log names the plugin and the reason: " + log.lines());
            assertTrue(lines.get(0).startsWith("SEVERE"), lines.get(0));
            assertInstanceOf(Reply.Token.class, c.prepareConf("k", List.of(Field.of("echo", "good"))));
        }
    }

    @Test
    void aConfEntryWithoutANameIsRejected() throws Exception {
        try (ApisixClient c = runner.client()) {
            Reply r = c.prepareConf("k", List.of(new Field(null, "{}")));
            assertInstanceOf(Reply.Error.class, r);
        }
    }
}
