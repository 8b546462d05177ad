package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.protocol.FlatReader;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** ExtraInfo rounds: declared prefetch in one pipelined round, lazy reads cached for the call. */
@Timeout(30)
class ExtraInfoProtocolTest {
    @TempDir Path dir;
    TestRunner runner;

    static String show(byte[] b) {
        return b == null ? "null" : "[" + new String(b, StandardCharsets.UTF_8) + "]";
    }

    @BeforeEach
    void start() throws Exception {
        runner = TestRunner.start(dir,
                TestDescriptor.request("prefetch", (config, req, resp) -> resp.setBody(
                        "remote_addr=" + req.var("remote_addr") + ";route_id=" + req.var("route_id")
                                + ";arg_x=[" + req.var("arg_x") + "];body=" + show(req.body())))
                        .prefetch(true, false, "remote_addr", "route_id", "arg_x"),
                // A second plugin declaring an overlapping set: one merged round, no duplicates.
                TestDescriptor.request("prefetch2", (config, req, resp) -> req.headers().set("x-seen", req.var("server_port")))
                        .prefetch(false, false, "remote_addr", "server_port"),
                TestDescriptor.request("lazy", (config, req, resp) -> {
                    String a = req.var("a");
                    String again = req.var("a");
                    String missing = req.var("missing");
                    String missingAgain = req.var("missing");
                    byte[] body = req.body();
                    byte[] bodyAgain = req.body();
                    resp.setBody(a + again + missing + missingAgain + show(body) + show(bodyAgain));
                }),
                TestDescriptor.response("resp-prefetch", (config, up) -> up.setBody(
                        "v=" + up.var("upstream_addr") + ";req=" + show(up.requestBody()) + ";resp=" + show(up.body())))
                        .prefetch(true, true, "upstream_addr"),
                TestDescriptor.response("resp-lazy", (config, up) -> {
                    byte[] b1 = up.body();
                    byte[] b2 = up.body();
                    up.setBody(show(b1) + show(b2) + up.var("v") + up.var("v"));
                }));
    }

    @AfterEach
    void stop() {
        runner.close();
    }

    /** Reads a frame, checks it is an ExtraInfo question, and describes it ("var:name", "reqBody", "respBody"). */
    static String question(RawConnection.Frame f) {
        assertEquals(Rpc.EXTRA_INFO, f.type(), "expected an ExtraInfo question");
        FlatReader r = f.reader();
        int root = r.root();
        switch (r.u8(root, 0)) {
            case Rpc.INFO_VAR:
                return "var:" + r.string(r.table(root, 1), 0);
            case Rpc.INFO_REQ_BODY:
                return "reqBody";
            case Rpc.INFO_RESP_BODY:
                return "respBody";
            default:
                throw new AssertionError("unsupported info type " + r.u8(root, 0));
        }
    }

    @Test
    void declaredPrefetchIsOnePipelinedRound() throws Exception {
        long token = runner.prepare("prefetch", "");
        try (RawConnection raw = runner.raw()) {
            raw.send(Rpc.HTTP_REQ_CALL, Frames.call(21, token, "/p"));
            // Every question arrives before any is answered: one round trip.
            List<String> questions = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                questions.add(question(raw.read(5000)));
            }
            assertEquals(List.of("var:remote_addr", "var:route_id", "var:arg_x", "reqBody"), questions);
            assertTrue(raw.silentFor(200), "the runner waits for the answers");
            // Answers in order: a value, absent, empty, a body.
            raw.send(Rpc.EXTRA_INFO, Frames.answer("10.0.0.1"));
            raw.send(Rpc.EXTRA_INFO, Frames.answer((byte[]) null));
            raw.send(Rpc.EXTRA_INFO, Frames.answer(""));
            raw.send(Rpc.EXTRA_INFO, Frames.answer("hello"));
            RawConnection.Frame reply = raw.read();
            assertEquals(Rpc.HTTP_REQ_CALL, reply.type());
            FlatReader r = reply.reader();
            int stop = r.table(r.root(), 2);
            assertEquals("remote_addr=10.0.0.1;route_id=null;arg_x=[];body=[hello]",
                    new String(r.bytes(stop, 2), StandardCharsets.UTF_8));
            assertEquals(21, r.u32(r.root(), 0));
        }
    }

    @Test
    void prefetchOfSeveralPluginsIsMergedWithoutDuplicates() throws Exception {
        long token = runner.prepare("prefetch2", "", "prefetch", "");
        try (RawConnection raw = runner.raw()) {
            raw.send(Rpc.HTTP_REQ_CALL, Frames.call(1, token, "/"));
            List<String> questions = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                questions.add(question(raw.read(5000)));
            }
            assertEquals(List.of("var:remote_addr", "var:server_port", "var:route_id", "var:arg_x", "reqBody"), questions);
            assertTrue(raw.silentFor(100));
            for (String a : new String[] {"1.1.1.1", "9080", "r1", "x", "b"}) {
                raw.send(Rpc.EXTRA_INFO, Frames.answer(a));
            }
            RawConnection.Frame reply = raw.read();
            assertEquals(Rpc.HTTP_REQ_CALL, reply.type());
            FlatReader r = reply.reader();
            assertEquals(Rpc.ACTION_STOP, r.u8(r.root(), 1), "prefetch (second) stopped after prefetch2 rewrote");
        }
    }

    @Test
    void theSameConnectionServesTheNextCallAfterExtraInfo() throws Exception {
        long token = runner.prepare("prefetch", "");
        try (ApisixClient c = runner.client()) {
            for (int i = 0; i < 3; i++) {
                ExtraInfoAnswers answers = new ExtraInfoAnswers().var("remote_addr", "a" + i).var("arg_x", "")
                        .requestBody("b" + i);
                Reply.Stop s = assertInstanceOf(Reply.Stop.class, c.call(token, new CallRequest().id(i), answers));
                assertEquals("remote_addr=a" + i + ";route_id=null;arg_x=[];body=[b" + i + "]", s.bodyAsString());
                assertEquals(4, answers.questions());
            }
        }
    }

    @Test
    void lazyReadsAskOncePerCall() throws Exception {
        long token = runner.prepare("lazy", "");
        try (ApisixClient c = runner.client()) {
            ExtraInfoAnswers answers = new ExtraInfoAnswers().var("a", "A").requestBody(new byte[0]);
            Reply.Stop s = assertInstanceOf(Reply.Stop.class, c.call(token, new CallRequest(), answers));
            assertEquals("AAnullnull[][]", s.bodyAsString(), "an empty body is not an absent one");
            assertEquals(3, answers.questions(), "a, missing and the body: one question each");

            // The cache is per call: the next call asks again.
            ExtraInfoAnswers next = new ExtraInfoAnswers().var("a", "B");
            s = assertInstanceOf(Reply.Stop.class, c.call(token, new CallRequest(), next));
            assertEquals("BBnullnullnullnull", s.bodyAsString());
            assertEquals(3, next.questions());
        }
    }

    @Test
    void lazyQuestionsGoOneAtATime() throws Exception {
        long token = runner.prepare("lazy", "");
        try (RawConnection raw = runner.raw()) {
            raw.send(Rpc.HTTP_REQ_CALL, Frames.call(1, token, "/"));
            assertEquals("var:a", question(raw.read()));
            assertTrue(raw.silentFor(150), "a lazy read waits for its answer");
            raw.send(Rpc.EXTRA_INFO, Frames.answer("A"));
            assertEquals("var:missing", question(raw.read()));
            raw.send(Rpc.EXTRA_INFO, Frames.answer((byte[]) null));
            assertEquals("reqBody", question(raw.read()));
            raw.send(Rpc.EXTRA_INFO, Frames.answer("body"));
            RawConnection.Frame reply = raw.read();
            assertEquals(Rpc.HTTP_REQ_CALL, reply.type());
        }
    }

    @Test
    void responsePhasePrefetchAsksForBothBodies() throws Exception {
        long token = runner.prepare("resp-prefetch", "");
        try (RawConnection raw = runner.raw()) {
            raw.send(Rpc.HTTP_RESP_CALL, Frames.respCall(4, token, 200, "Content-Type", "text/plain"));
            List<String> questions = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                questions.add(question(raw.read(5000)));
            }
            assertEquals(List.of("var:upstream_addr", "reqBody", "respBody"), questions);
            assertTrue(raw.silentFor(100));
            raw.send(Rpc.EXTRA_INFO, Frames.answer("127.0.0.1:1980"));
            raw.send(Rpc.EXTRA_INFO, Frames.answer((byte[]) null));
            raw.send(Rpc.EXTRA_INFO, Frames.answer("upstream"));
            RawConnection.Frame reply = raw.read();
            assertEquals(Rpc.HTTP_RESP_CALL, reply.type());
            FlatReader r = reply.reader();
            assertEquals("v=127.0.0.1:1980;req=null;resp=[upstream]", new String(r.bytes(r.root(), 3), StandardCharsets.UTF_8));
        }
    }

    @Test
    void responsePhaseLazyBodyIsFetchedOnce() throws Exception {
        long token = runner.prepare("resp-lazy", "");
        try (ApisixClient c = runner.client()) {
            ExtraInfoAnswers answers = new ExtraInfoAnswers().responseBody("up").var("v", "1");
            Reply.RespCall r = assertInstanceOf(Reply.RespCall.class,
                    c.respCall(token, 3, 200, List.of(Field.of("A", "b")), answers));
            assertEquals("[up][up]11", r.bodyAsString());
            assertEquals(2, answers.questions());
        }
    }

    @Test
    void apisixHangingUpMidExtraInfoClosesOnlyThatConnection() throws Exception {
        long token = runner.prepare("lazy", "");
        try (RawConnection raw = runner.raw()) {
            raw.send(Rpc.HTTP_REQ_CALL, Frames.call(1, token, "/"));
            assertEquals("var:a", question(raw.read()));
            raw.shutdownOutput();
            assertTrue(raw.closedWithin(5000), "the runner gives up the call and closes");
        }
        try (ApisixClient c = runner.client()) {
            ExtraInfoAnswers answers = new ExtraInfoAnswers().var("a", "x");
            assertInstanceOf(Reply.Stop.class, c.call(token, new CallRequest(), answers));
        }
    }

    @Test
    void anUndecodableAnswerClosesThatConnectionOnly() throws Exception {
        // APISIX never sends one; with answers possibly pipelined behind it, the runner cannot
        // resynchronise the call, so it gives the connection up (APISIX then answers 503).
        long token = runner.prepare("lazy", "");
        try (RawConnection raw = runner.raw()) {
            raw.send(Rpc.HTTP_REQ_CALL, Frames.call(1, token, "/"));
            assertEquals("var:a", question(raw.read()));
            raw.send(Rpc.EXTRA_INFO, new byte[] {1, 2, 3});
            assertTrue(raw.closedWithin(5000));
        }
        try (ApisixClient c = runner.client()) {
            assertInstanceOf(Reply.Stop.class, c.call(token, new CallRequest(), new ExtraInfoAnswers().var("a", "x")));
        }
    }
}
