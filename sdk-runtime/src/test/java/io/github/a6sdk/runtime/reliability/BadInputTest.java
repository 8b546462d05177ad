package io.github.a6sdk.runtime.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.Runner;
import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile or broken peers over a real unix socket. Each case: the runner answers or closes that
 * connection cleanly, says what was wrong in its log, and a NEW connection is then served.
 */
@Timeout(60)
class BadInputTest {
    @TempDir Path dir;
    private Path sock;
    private Runner runner;
    private Harness.LogCapture log;

    /** Answers with the number of request headers it saw. */
    private static final TestPlugin COUNT_HEADERS = TestPlugin.request("count", (config, request, response) -> {
        response.setStatus(200);
        response.setBody(String.valueOf(request.headers().size()).getBytes(StandardCharsets.UTF_8));
    });

    /** Asks APISIX for a variable, then stops with its value. */
    private static final TestPlugin ASK = TestPlugin.request("ask", (config, request, response) -> {
        String v = request.var("remote_addr");
        response.setStatus(200);
        response.setBody(String.valueOf(v).getBytes(StandardCharsets.UTF_8));
    });

    /** Stops with a body of the size in its config. */
    private static final TestPlugin BIG = TestPlugin.request("big", (config, request, response) -> {
        response.setStatus(200);
        response.setBody(new byte[Integer.parseInt(config)]);
    });

    @BeforeEach
    void start() throws Exception {
        sock = dir.resolve("r.sock");
        log = new Harness.LogCapture();
        runner = Harness.start(sock, Harness.withEcho(COUNT_HEADERS, ASK, BIG), Map.of("A6_CALL_TIMEOUT_MS", "3000"));
    }

    @AfterEach
    void stop() {
        runner.shutdown(100);
        log.close();
    }

    @Test
    void truncatedHeader() throws Exception {
        try (Harness.Raw raw = new Harness.Raw(sock)) {
            raw.write(new byte[] {2, 0});
            raw.ch.shutdownOutput();
            assertTrue(raw.closedWithin(5000));
        }
        assertTrue(log.await("inside a frame header (2 of 4 bytes)", 2000), log.messages().toString());
        Harness.assertServes(sock);
    }

    @Test
    void truncatedPayloadThenHangUp() throws Exception {
        try (Harness.Raw raw = new Harness.Raw(sock)) {
            raw.write(new byte[] {1, 0, 0, 100, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
            raw.ch.shutdownOutput();
            assertTrue(raw.closedWithin(5000));
        }
        assertTrue(log.await("10 of 100 payload bytes", 2000), log.messages().toString());
        Harness.assertServes(sock);
    }

    @Test
    void hugeAnnouncedLengthWithTenBytes() throws Exception {
        try (Harness.Raw raw = new Harness.Raw(sock)) {
            raw.write(new byte[] {2, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
            // While that connection waits for the rest, others are served.
            Harness.assertServes(sock);
            raw.ch.shutdownOutput();
            assertTrue(raw.closedWithin(5000));
        }
        assertTrue(log.await("10 of 16777215 payload bytes", 2000), log.messages().toString());
        Harness.assertServes(sock);
    }

    @Test
    void aPeerThatStallsMidFrameIsCutOffAfterTheCallTimeout() throws Exception {
        try (Harness.Raw raw = new Harness.Raw(sock)) {
            raw.write(new byte[] {2, 0, 1, 0, 1, 2, 3}); // 256 bytes announced, 3 sent, then nothing
            Harness.assertServes(sock);
            assertTrue(raw.closedWithin(20_000), "a connection stalled mid-frame stays open");
        }
        assertTrue(log.contains("the peer sent part of a frame and nothing more"), log.messages().toString());
        Harness.assertServes(sock);
    }

    @Test
    void zeroLengthPayloadOfEveryType() throws Exception {
        try (Harness.Raw raw = new Harness.Raw(sock)) {
            for (int type = 0; type <= 4; type++) {
                raw.send(type, new byte[0]);
                assertEquals(Rpc.ERR_BAD_REQUEST, raw.read(5000).errorCode(), "type " + type);
            }
            assertConnectionStillWorks(raw);
        }
        Harness.assertServes(sock);
    }

    @Test
    void unknownRpcType() throws Exception {
        try (Harness.Raw raw = new Harness.Raw(sock)) {
            for (int type : new int[] {5, 9, 127, 255}) {
                raw.send(type, Harness.prepareConfPayload("k", List.of()));
                assertEquals(Rpc.ERR_BAD_REQUEST, raw.read(5000).errorCode(), "type " + type);
            }
            assertConnectionStillWorks(raw);
        }
        assertTrue(log.contains("unknown RPC type 255"), log.messages().toString());
        Harness.assertServes(sock);
    }

    @Test
    void extraInfoAnswerOutsideACall() throws Exception {
        try (Harness.Raw raw = new Harness.Raw(sock)) {
            raw.send(Rpc.EXTRA_INFO, Harness.extraInfoAnswerPayload("x".getBytes(StandardCharsets.UTF_8)));
            assertEquals(Rpc.ERR_BAD_REQUEST, raw.read(5000).errorCode());
            assertConnectionStillWorks(raw);
        }
        assertTrue(log.contains("unexpected RPC_EXTRA_INFO frame"), log.messages().toString());
        Harness.assertServes(sock);
    }

    @Test
    void garbageFlatBuffersOfEveryType() throws Exception {
        Random rnd = new Random(7);
        try (Harness.Raw raw = new Harness.Raw(sock)) {
            for (int type = 0; type <= 4; type++) {
                for (int i = 0; i < 50; i++) {
                    byte[] junk = new byte[1 + rnd.nextInt(200)];
                    rnd.nextBytes(junk);
                    raw.send(type, junk);
                    Harness.Frame reply = raw.read(5000);
                    assertNotNull(reply, "closed on garbage of type " + type);
                    // Garbage may still decode (into an unknown token): the runner answers type 0 either way.
                    assertEquals(Rpc.ERROR, reply.type(), "type " + type + ": " + Arrays.toString(junk));
                }
            }
            assertConnectionStillWorks(raw);
        }
        // 250 frames of garbage: the first five bad ones are logged in full, the others counted for a summary line.
        assertTrue(log.contains("unexpected RPC_ERROR frame"), log.messages().toString());
        long badFrameLines = log.messages().stream().filter(m -> m.contains("frame (")).count();
        assertEquals(5, badFrameLines, log.messages().toString());
        Harness.assertServes(sock);
    }

    @Test
    void prepareConfWithTenThousandEntries() throws Exception {
        List<Field> conf = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            conf.add(Field.of("count", "{\"i\":" + i + "}"));
        }
        long token;
        try (ApisixClient c = ApisixClient.connect(sock)) {
            token = assertInstanceOf(Reply.Token.class, c.prepareConf("k", conf)).token();
            Reply r = c.call(token, new CallRequest().header("a", "b"), new ExtraInfoAnswers());
            assertEquals("1", assertInstanceOf(Reply.Stop.class, r).bodyAsString());
        }
        Harness.assertServes(sock);
    }

    @Test
    void prepareConfWithATenMebibyteValue() throws Exception {
        char[] big = new char[10 << 20];
        Arrays.fill(big, 'v');
        try (ApisixClient c = ApisixClient.connect(sock)) {
            long token = assertInstanceOf(Reply.Token.class,
                    c.prepareConf("k", List.of(Field.of("echo", new String(big))))).token();
            Reply.Stop stop = assertInstanceOf(Reply.Stop.class,
                    c.call(token, new CallRequest(), new ExtraInfoAnswers()));
            assertEquals(10 << 20, stop.body().length);
        }
        Harness.assertServes(sock);
    }

    @Test
    void httpReqCallWithTenThousandHeaders() throws Exception {
        long token = Harness.prepare(sock, "count", "");
        CallRequest req = new CallRequest();
        for (int i = 0; i < 10_000; i++) {
            req.header("x-h" + i, "v" + i);
        }
        try (ApisixClient c = ApisixClient.connect(sock)) {
            Reply r = c.call(token, req, new ExtraInfoAnswers());
            assertEquals("10000", assertInstanceOf(Reply.Stop.class, r).bodyAsString());
        }
        Harness.assertServes(sock);
    }

    @Test
    void clientThatSendsNothingIsLeftOpenAndHarmless() throws Exception {
        try (Harness.Raw idle = new Harness.Raw(sock)) {
            Harness.assertServes(sock);
            // Idle connections are APISIX's pool: the runner keeps them (no reply, no close).
            assertTrue(!idle.closedWithin(300));
            Harness.assertServes(sock);
        }
        Harness.assertServes(sock);
    }

    @Test
    void clientThatStopsReadingRepliesIsCutOffByTheCallTimeout() throws Exception {
        // Never read: the 8 MiB reply fills the socket buffers and the runner's write blocks.
        assertClientThatDoesNotReadIsCutOff(8 << 20);
    }

    @Test
    void aReplyLeftWaitingForTheSocketAfterTheCallEndedIsCutOffToo() throws Exception {
        // 1 MiB is built in a millisecond, on the event loop: the call is over, and the reply's rest waits for the
        // socket to take it (OP_WRITE) with no thread on it. A client that never reads it is cut off all the same.
        assertClientThatDoesNotReadIsCutOff(1 << 20);
    }

    private void assertClientThatDoesNotReadIsCutOff(int replyBytes) throws Exception {
        long token = Harness.prepare(sock, "big", String.valueOf(replyBytes));
        Harness.Raw raw = new Harness.Raw(sock);
        try {
            raw.write(Harness.frame(Rpc.HTTP_REQ_CALL, Harness.reqCallPayload(1, token, "/", List.of(), List.of())));
            Thread.sleep(200);
            Harness.assertServes(sock);
            assertTrue(log.await("stuck writing to APISIX", 20_000), log.messages().toString());
            assertTrue(raw.closedWithin(20_000), "the stuck connection was not closed");
        } finally {
            raw.close();
        }
        Harness.assertServes(sock);
    }

    @Test
    void clientHangsUpWhileTheRunnerWaitsForAnExtraInfoAnswer() throws Exception {
        long token = Harness.prepare(sock, "ask", "");
        try (Harness.Raw raw = new Harness.Raw(sock)) {
            raw.send(Rpc.HTTP_REQ_CALL, Harness.reqCallPayload(3, token, "/", List.of(), List.of()));
            Harness.Frame question = raw.read(5000);
            assertEquals(Rpc.EXTRA_INFO, question.type());
        }
        assertTrue(log.await("closed the connection while the runner waited for an ExtraInfo answer", 5000),
                log.messages().toString());
        Harness.assertServes(sock);
    }

    @Test
    void garbageExtraInfoAnswerClosesThatConnection() throws Exception {
        long token = Harness.prepare(sock, "ask", "");
        try (Harness.Raw raw = new Harness.Raw(sock)) {
            raw.send(Rpc.HTTP_REQ_CALL, Harness.reqCallPayload(3, token, "/", List.of(), List.of()));
            assertEquals(Rpc.EXTRA_INFO, raw.read(5000).type());
            raw.send(Rpc.EXTRA_INFO, new byte[] {(byte) 0xFF, (byte) 0xFF, 0, 0, 1, 2, 3});
            assertTrue(raw.closedWithin(5000));
        }
        assertTrue(log.await("undecodable ExtraInfo answer", 5000), log.messages().toString());
        Harness.assertServes(sock);
    }

    @Test
    void wrongFrameTypeInsteadOfTheExtraInfoAnswer() throws Exception {
        long token = Harness.prepare(sock, "ask", "");
        try (Harness.Raw raw = new Harness.Raw(sock)) {
            raw.send(Rpc.HTTP_REQ_CALL, Harness.reqCallPayload(3, token, "/", List.of(), List.of()));
            assertEquals(Rpc.EXTRA_INFO, raw.read(5000).type());
            raw.send(Rpc.HTTP_REQ_CALL, Harness.reqCallPayload(4, token, "/", List.of(), List.of()));
            assertTrue(raw.closedWithin(5000));
        }
        assertTrue(log.await("expected an ExtraInfo answer, got RPC_HTTP_REQ_CALL", 5000), log.messages().toString());
        Harness.assertServes(sock);
    }

    @Test
    void aThousandConnectionsAtOnce() throws Exception {
        long token = Harness.prepare(sock, "echo", "many");
        List<ApisixClient> clients = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int i = 0; i < 1000; i++) {
                clients.add(ApisixClient.connect(sock));
            }
            List<Future<String>> replies = new ArrayList<>();
            for (ApisixClient c : clients) {
                replies.add(pool.submit(() -> {
                    Reply r = c.call(token, new CallRequest(), new ExtraInfoAnswers());
                    return assertInstanceOf(Reply.Stop.class, r).bodyAsString();
                }));
            }
            for (Future<String> f : replies) {
                assertEquals("many", f.get(30, TimeUnit.SECONDS));
            }
            assertEquals(1000, runner.connectionCount());
        } finally {
            pool.shutdownNow();
            for (ApisixClient c : clients) {
                c.close();
            }
        }
        long deadline = System.currentTimeMillis() + 10_000;
        while (runner.connectionCount() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, runner.connectionCount(), "connections not released after the clients hung up");
        Harness.assertServes(sock);
    }

    /** The same connection still serves a PrepareConf after the bad frame. */
    private static void assertConnectionStillWorks(Harness.Raw raw) throws Exception {
        raw.send(Rpc.PREPARE_CONF, Harness.prepareConfPayload("k", List.of(Field.of("echo", "x"))));
        Harness.Frame f = raw.read(5000);
        assertNotNull(f);
        assertEquals(Rpc.PREPARE_CONF, f.type());
    }

    @Test
    void replyFrameTypeZeroIsNeverSentEmpty() throws Exception {
        // An error reply has a non-empty payload (APISIX cannot read a zero-length one).
        try (Harness.Raw raw = new Harness.Raw(sock)) {
            raw.send(9, new byte[0]);
            Harness.Frame f = raw.read(5000);
            assertTrue(f.payload().length > 0);
        }
    }
}
