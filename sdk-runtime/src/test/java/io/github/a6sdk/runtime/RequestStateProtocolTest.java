package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.api.StateKey;
import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request state over the real protocol: {@code request_id} is asked in the call's prefetch round only
 * by chains that use state, values put in the request phase are read in the response phase of the
 * same request (on other connections), and they end with the post-resp call or a stop.
 */
@Timeout(30)
class RequestStateProtocolTest {
    static final StateKey<String> NOTE = StateKey.of("note", String.class);

    @TempDir Path dir;
    TestRunner runner;

    @BeforeEach
    void start() throws Exception {
        runner = TestRunner.start(dir, Map.of("A6_REQUEST_STATE_MAX_ENTRIES", "100"),
                TestDescriptor.request("plain", (c, req, resp) -> req.headers().set("x-plain", "1")),
                TestDescriptor.request("note", (c, req, resp) -> req.state().put(NOTE, c))
                        .withRequestState().prefetch(false, false, "remote_addr"),
                TestDescriptor.request("read", (c, req, resp) -> req.headers().set("x-note",
                        req.state().get(NOTE).orElse("none"))).withRequestState(),
                TestDescriptor.request("stop", (c, req, resp) -> resp.setBody("stopped")),
                TestDescriptor.request("forget", (c, req, resp) -> req.state().remove(NOTE)).withRequestState(),
                TestDescriptor.request("undeclared", (c, req, resp) -> req.state().put(NOTE, "x")),
                TestDescriptor.response("echo-note", (c, up) -> up.headers().set("x-note",
                        up.state().get(NOTE).orElse("none"))).withRequestState(),
                TestDescriptor.response("plain-resp", (c, up) -> up.setStatus(299)));
    }

    @AfterEach
    void stop() {
        runner.close();
    }

    private long prepare(String phase, String... pairs) throws IOException {
        List<Field> conf = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            conf.add(Field.of(pairs[i], pairs[i + 1]));
        }
        try (ApisixClient c = runner.client()) {
            return assertInstanceOf(Reply.Token.class, c.prepareConf("route#1#" + phase + "#1", conf)).token();
        }
    }

    /** APISIX answering a request's variables, $request_id included. */
    private static ExtraInfoAnswers request(String requestId) {
        return new ExtraInfoAnswers().var(RequestStates.REQUEST_ID, requestId).var("remote_addr", "10.0.0.1");
    }

    private Reply call(long token, ExtraInfoAnswers answers) throws IOException {
        try (ApisixClient c = runner.client()) {
            return c.call(token, new CallRequest().id(7).path("/"), answers);
        }
    }

    private Reply respCall(long token, ExtraInfoAnswers answers) throws IOException {
        try (ApisixClient c = runner.client()) {
            return c.respCall(token, 7, 200, List.of(Field.of("Content-Type", "text/plain")), answers);
        }
    }

    private static String header(Reply.RespCall r, String name) {
        for (Field f : r.headers()) {
            if (f.name().equalsIgnoreCase(name)) {
                return f.value();
            }
        }
        return null;
    }

    @Test
    void aChainWithoutRequestStateAsksNothing() throws Exception {
        long pre = prepare("ext-plugin-pre-req", "plain", "");
        long post = prepare("ext-plugin-post-resp", "plain-resp", "");
        ExtraInfoAnswers answers = request("r-1");
        assertInstanceOf(Reply.Rewrite.class, call(pre, answers));
        assertInstanceOf(Reply.RespCall.class, respCall(post, answers));
        assertEquals(0, answers.questions(), "no request_id, no ExtraInfo frame, for chains without request state");
    }

    @Test
    void requestIdIsAskedInTheSamePipelinedRoundAsTheDeclaredVariables() throws Exception {
        long token = prepare("ext-plugin-pre-req", "note", "n");
        try (RawConnection raw = runner.raw()) {
            raw.send(Rpc.HTTP_REQ_CALL, Frames.call(3, token, "/"));
            List<String> questions = List.of(ExtraInfoProtocolTest.question(raw.read(5000)),
                    ExtraInfoProtocolTest.question(raw.read(5000)));
            assertEquals(List.of("var:remote_addr", "var:request_id"), questions);
            assertTrue(raw.silentFor(200), "both questions leave before any answer: one round trip");
            raw.send(Rpc.EXTRA_INFO, Frames.answer("10.0.0.1"));
            raw.send(Rpc.EXTRA_INFO, Frames.answer("0123456789abcdef0123456789abcdef"));
            assertEquals(Rpc.HTTP_REQ_CALL, raw.read(5000).type());
        }
    }

    @Test
    void valuesPutInTheRequestPhaseAreReadInTheResponsePhaseOfTheSameRequestOnly() throws Exception {
        long pre = prepare("ext-plugin-pre-req", "note", "from-pre-req");
        long postReq = prepare("ext-plugin-post-req", "read", "");
        long postResp = prepare("ext-plugin-post-resp", "echo-note", "");

        ExtraInfoAnswers a = request("req-a");
        ExtraInfoAnswers b = request("req-b");
        assertInstanceOf(Reply.Pass.class, call(pre, a));
        Reply.Rewrite seen = assertInstanceOf(Reply.Rewrite.class, call(postReq, a));
        assertEquals(List.of(Field.of("x-note", "from-pre-req")), seen.headers(), "post-req reads what pre-req put");
        Reply.Rewrite other = assertInstanceOf(Reply.Rewrite.class, call(postReq, b));
        assertEquals(List.of(Field.of("x-note", "none")), other.headers(), "another request has no value");

        assertEquals("from-pre-req", header(assertInstanceOf(Reply.RespCall.class, respCall(postResp, a)), "x-note"));
        assertEquals("none", header(assertInstanceOf(Reply.RespCall.class, respCall(postResp, a)), "x-note"),
                "the post-resp call, the request's last phase, ended its values");
    }

    @Test
    void aStopEndsTheRequestsValuesAndSoDoesRemovingThemAll() throws Exception {
        long noteThenStop = prepare("ext-plugin-pre-req", "note", "n", "stop", "");
        long note = prepare("ext-plugin-pre-req", "note", "n");
        long forget = prepare("ext-plugin-post-req", "forget", "");
        long read = prepare("ext-plugin-post-req", "read", "");

        assertInstanceOf(Reply.Stop.class, call(noteThenStop, request("s")));
        Reply.Rewrite afterStop = assertInstanceOf(Reply.Rewrite.class, call(read, request("s")));
        assertEquals(List.of(Field.of("x-note", "none")), afterStop.headers(), "a stopped request keeps nothing");

        assertInstanceOf(Reply.Pass.class, call(note, request("f")));
        assertInstanceOf(Reply.Pass.class, call(forget, request("f")));
        Reply.Rewrite after = assertInstanceOf(Reply.Rewrite.class, call(read, request("f")));
        assertEquals(List.of(Field.of("x-note", "none")), after.headers());
    }

    @Test
    void withoutARequestIdTheValuesLastOneCall() throws Exception {
        long note = prepare("ext-plugin-pre-req", "note", "n");
        long read = prepare("ext-plugin-post-req", "read", "");
        ExtraInfoAnswers none = new ExtraInfoAnswers().var("remote_addr", "10.0.0.1"); // request_id absent
        assertInstanceOf(Reply.Pass.class, call(note, none));
        Reply.Rewrite r = assertInstanceOf(Reply.Rewrite.class, call(read, none));
        assertEquals(List.of(Field.of("x-note", "none")), r.headers(), "an empty result, not an error");
    }

    @Test
    void withMetricsOnTheRunnersStoreIsExported(@TempDir Path other) throws Exception {
        try (TestRunner r = TestRunner.start(other, Map.of("A6_METRICS_ADDRESS", "127.0.0.1:0"),
                TestDescriptor.request("note", (c, req, resp) -> req.state().put(NOTE, c)).withRequestState())) {
            long token;
            try (ApisixClient c = r.client()) {
                token = assertInstanceOf(Reply.Token.class, c.prepareConf("route#1#ext-plugin-pre-req#1",
                        List.of(Field.of("note", "n")))).token();
                assertInstanceOf(Reply.Pass.class, c.call(token, new CallRequest().id(1), request("m-1")));
                assertInstanceOf(Reply.Pass.class, c.call(token, new CallRequest().id(2), request("m-2")));
            }
            String text = r.runner.metrics().scrape();
            assertTrue(text.contains("\na6_request_state_entries 2\n"), text);
        }
    }

    @Test
    void aPluginThatUsesStateWithoutDeclaringItFailsItsCallNamingTheFix() throws Exception {
        long token = prepare("ext-plugin-pre-req", "note", "n", "undeclared", "");
        try (LogCapture log = new LogCapture()) {
            Reply r = call(token, request("u"));
            assertEquals(Rpc.ERR_SERVICE_UNAVAILABLE, assertInstanceOf(Reply.Error.class, r).code());
            assertEquals(1, log.matching("plugin \"undeclared\" threw java.lang.IllegalStateException: request state is"
                    + " not declared: add requestState = true").size(), log.lines().toString());
        }
        // the connection and the runner go on
        assertInstanceOf(Reply.Pass.class, call(prepare("ext-plugin-pre-req", "note", "n"), request("v")));
    }
}
