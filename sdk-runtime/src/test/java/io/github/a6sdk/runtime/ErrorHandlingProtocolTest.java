package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.protocol.FlatReader;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Failures of plugins and of the byte stream: what APISIX gets, and that the runner goes on. */
@Timeout(60)
class ErrorHandlingProtocolTest {
    @TempDir Path dir;
    TestRunner runner;
    long echo;

    @BeforeEach
    void start() throws Exception {
        runner = TestRunner.start(dir,
                TestDescriptor.request("echo", (config, req, resp) -> {
                    resp.setStatus(200);
                    resp.setBody("id=" + req.id());
                }),
                TestDescriptor.request("throws", (config, req, resp) -> {
                    throw new IllegalStateException("plugin bug");
                }),
                TestDescriptor.request("error", (config, req, resp) -> {
                    throw new AssertionError("assert in plugin");
                }),
                TestDescriptor.request("huge", (config, req, resp) -> resp.setBody(new byte[Integer.parseInt(config)])),
                TestDescriptor.request("huge-headers", (config, req, resp) -> {
                    // Under the body check, over the frame limit once encoded.
                    String v = "x".repeat(1 << 20);
                    for (int i = 0; i < 17; i++) {
                        resp.headers().add("X-Big-" + i, v);
                    }
                }),
                TestDescriptor.response("resp-throws", (config, up) -> {
                    throw new RuntimeException("boom");
                }),
                TestDescriptor.response("resp-huge", (config, up) -> up.setBody(new byte[17_000_000])));
        echo = runner.prepare("echo", "");
    }

    @AfterEach
    void stop() {
        runner.close();
    }

    /** The connection still serves a normal call. */
    private void stillWorks(RawConnection raw, long id) throws Exception {
        raw.send(Rpc.HTTP_REQ_CALL, Frames.call(id, echo, "/"));
        RawConnection.Frame f = raw.read();
        assertEquals(Rpc.HTTP_REQ_CALL, f.type(), "a normal call after the failure");
        FlatReader r = f.reader();
        assertEquals(id, r.u32(r.root(), 0));
        assertEquals(Rpc.ACTION_STOP, r.u8(r.root(), 1));
    }

    private static int errorCode(RawConnection.Frame f) {
        assertEquals(Rpc.ERROR, f.type(), "expected an error frame");
        FlatReader r = f.reader();
        return r.u8(r.root(), 0);
    }

    @Test
    void aPluginExceptionIsServiceUnavailableAndTheConnectionGoesOn() throws Exception {
        long bad = runner.prepare("throws", "");
        long err = runner.prepare("error", "");
        try (LogCapture log = new LogCapture(); ApisixClient c = runner.client()) {
            assertEquals(new Reply.Error(Rpc.ERR_SERVICE_UNAVAILABLE), c.call(bad, new CallRequest().id(1), new ExtraInfoAnswers()));
            Reply.Stop s = assertInstanceOf(Reply.Stop.class, c.call(echo, new CallRequest().id(2), new ExtraInfoAnswers()));
            assertEquals("id=2", s.bodyAsString());
            assertEquals(new Reply.Error(Rpc.ERR_SERVICE_UNAVAILABLE), c.call(err, new CallRequest().id(3), new ExtraInfoAnswers()));
            assertEquals("id=4", assertInstanceOf(Reply.Stop.class,
                    c.call(echo, new CallRequest().id(4), new ExtraInfoAnswers())).bodyAsString());
            assertFalse(log.matching("throws", "plugin bug").isEmpty(), "the log names the plugin and the exception: " + log.lines());
        }
    }

    @Test
    void aResponsePluginExceptionIsServiceUnavailable() throws Exception {
        long bad = runner.prepare("resp-throws", "");
        try (ApisixClient c = runner.client()) {
            assertEquals(new Reply.Error(Rpc.ERR_SERVICE_UNAVAILABLE), c.respCall(bad, 1, 200, List.of(), new ExtraInfoAnswers()));
            assertInstanceOf(Reply.Stop.class, c.call(echo, new CallRequest(), new ExtraInfoAnswers()));
        }
    }

    @Test
    void unknownRpcTypesAreBadRequestAndTheConnectionStaysOpen() throws Exception {
        try (RawConnection raw = runner.raw()) {
            int id = 100;
            for (int type : new int[] {0, 5, 9, 127, 255, Rpc.EXTRA_INFO}) {
                raw.send(type, Frames.answer("whatever"));
                assertEquals(Rpc.ERR_BAD_REQUEST, errorCode(raw.read()), "type " + type);
                stillWorks(raw, id++);
            }
        }
    }

    @Test
    void anEmptyPayloadOfEachTypeIsBadRequest() throws Exception {
        try (RawConnection raw = runner.raw()) {
            for (int type : new int[] {Rpc.PREPARE_CONF, Rpc.HTTP_REQ_CALL, Rpc.HTTP_RESP_CALL}) {
                raw.send(type, new byte[0]);
                assertEquals(Rpc.ERR_BAD_REQUEST, errorCode(raw.read()), "type " + type);
                stillWorks(raw, type);
            }
        }
    }

    @Test
    void garbageFlatBuffersOfEachTypeAreBadRequestAndTheConnectionStaysUsable() throws Exception {
        byte[] call = Frames.call(5, echo, "/path", "x-a", "1");
        byte[] rootPastEnd = call.clone();
        ByteBuffer.wrap(rootPastEnd).order(ByteOrder.LITTLE_ENDIAN).putInt(0, rootPastEnd.length + 100);
        byte[] vtableOutside = call.clone();
        int root = ByteBuffer.wrap(call).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        ByteBuffer.wrap(vtableOutside).order(ByteOrder.LITTLE_ENDIAN).putInt(root, -100_000);
        List<byte[]> garbage = List.of(new byte[] {1, 2, 3}, rootPastEnd, vtableOutside,
                new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0x7F, 0, 0, 0, 0});
        try (RawConnection raw = runner.raw()) {
            int id = 1;
            for (int type : new int[] {Rpc.PREPARE_CONF, Rpc.HTTP_REQ_CALL, Rpc.HTTP_RESP_CALL}) {
                for (byte[] g : garbage) {
                    raw.send(type, g);
                    assertEquals(Rpc.ERR_BAD_REQUEST, errorCode(raw.read()), "type " + type + ": " + Arrays.toString(g));
                    stillWorks(raw, id++);
                }
            }
        }
    }

    @Test
    void aCallWhoseHeadersAreCorruptIsBadRequest() throws Exception {
        // Lazy decoding: the corruption is found when the plugin reads the headers.
        try (TestRunner other = TestRunner.start(java.nio.file.Files.createDirectories(dir.resolve("h")),
                TestDescriptor.request("headers", (config, req, resp) -> resp.setBody(req.headers().get("x-a"))))) {
            long token = other.prepare("headers", "");
            byte[] call = Frames.call(9, token, "/p", "x-a", "1");
            FlatReader r = new FlatReader().reset(ByteBuffer.wrap(call).order(ByteOrder.LITTLE_ENDIAN), 0, call.length);
            int vec = r.vector(r.root(), 5, 4);
            ByteBuffer.wrap(call).order(ByteOrder.LITTLE_ENDIAN).putInt(vec - 4, 1_000_000);
            try (RawConnection raw = other.raw()) {
                raw.send(Rpc.HTTP_REQ_CALL, call);
                assertEquals(Rpc.ERR_BAD_REQUEST, errorCode(raw.read()));
                raw.send(Rpc.HTTP_REQ_CALL, Frames.call(10, token, "/", "x-a", "ok"));
                RawConnection.Frame f = raw.read();
                assertEquals(Rpc.HTTP_REQ_CALL, f.type());
                FlatReader ok = f.reader();
                assertEquals("ok", new String(ok.bytes(ok.table(ok.root(), 2), 2), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void randomGarbageNeverKillsTheConnection() throws Exception {
        Random random = new Random(42);
        try (RawConnection raw = runner.raw()) {
            for (int i = 0; i < 200; i++) {
                byte[] g = new byte[random.nextInt(80)];
                random.nextBytes(g);
                int type = 1 + random.nextInt(4);
                if (type == Rpc.EXTRA_INFO) {
                    type = Rpc.HTTP_RESP_CALL;
                }
                raw.send(type, g);
                RawConnection.Frame f = raw.read();
                // Mostly BAD_REQUEST; a payload that happens to decode may get another answer.
                assertTrue(f.type() == Rpc.ERROR || f.type() == type, "type " + f.type());
            }
            stillWorks(raw, 999);
        }
    }

    @Test
    void aTruncatedFrameClosesOnlyThatConnection() throws Exception {
        try (RawConnection raw = runner.raw()) {
            byte[] frame = RawConnection.frame(Rpc.HTTP_REQ_CALL, Frames.call(1, echo, "/"));
            raw.writeAll(Arrays.copyOf(frame, frame.length - 5));
            raw.shutdownOutput();
            assertTrue(raw.closedWithin(5000), "the runner closes a connection whose stream broke mid-frame");
        }
        try (RawConnection raw = runner.raw()) {
            raw.writeAll(new byte[] {Rpc.HTTP_REQ_CALL, 0});
            raw.shutdownOutput();
            assertTrue(raw.closedWithin(5000), "a truncated header");
        }
        try (RawConnection raw = runner.raw()) {
            stillWorks(raw, 1);
        }
    }

    @Test
    void anAnnouncedMaximumLengthWithFewBytesThenEof() throws Exception {
        try (RawConnection raw = runner.raw()) {
            raw.writeAll(new byte[] {Rpc.HTTP_REQ_CALL, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
            assertTrue(raw.silentFor(200), "the runner waits for the rest of the frame");
            raw.shutdownOutput();
            assertTrue(raw.closedWithin(5000));
        }
        try (RawConnection raw = runner.raw()) {
            stillWorks(raw, 2);
        }
    }

    @Test
    void aFullSizeGarbageFrameIsBadRequest() throws Exception {
        byte[] g = new byte[Rpc.MAX_PAYLOAD];
        new Random(1).nextBytes(g);
        ByteBuffer.wrap(g).order(ByteOrder.LITTLE_ENDIAN).putInt(0, Integer.MAX_VALUE); // root offset out of range
        try (RawConnection raw = runner.raw()) {
            raw.send(Rpc.PREPARE_CONF, g);
            assertEquals(Rpc.ERR_BAD_REQUEST, errorCode(raw.read(20_000)));
            stillWorks(raw, 3);
        }
    }

    @Test
    void aReplyTooLargeForAFrameIsServiceUnavailableAndTheConnectionGoesOn() throws Exception {
        long huge = runner.prepare("huge", "17000000");
        long justUnder = runner.prepare("huge", Integer.toString(Rpc.MAX_PAYLOAD - 32));
        long headers = runner.prepare("huge-headers", "");
        long respHuge = runner.prepare("resp-huge", "");
        try (RawConnection raw = runner.raw()) {
            raw.send(Rpc.HTTP_REQ_CALL, Frames.call(1, huge, "/"));
            assertEquals(Rpc.ERR_SERVICE_UNAVAILABLE, errorCode(raw.read(20_000)));
            stillWorks(raw, 2);

            raw.send(Rpc.HTTP_REQ_CALL, Frames.call(3, justUnder, "/"));
            assertEquals(Rpc.ERR_SERVICE_UNAVAILABLE, errorCode(raw.read(20_000)), "body + framing over the limit");
            stillWorks(raw, 4);

            raw.send(Rpc.HTTP_REQ_CALL, Frames.call(5, headers, "/"));
            assertEquals(Rpc.ERR_SERVICE_UNAVAILABLE, errorCode(raw.read(20_000)), "headers over the limit");
            stillWorks(raw, 6);

            raw.send(Rpc.HTTP_RESP_CALL, Frames.respCall(7, respHuge, 200));
            assertEquals(Rpc.ERR_SERVICE_UNAVAILABLE, errorCode(raw.read(20_000)));
            stillWorks(raw, 8);
        }
    }

    @Test
    void theLargestReplyThatFitsIsSent() throws Exception {
        long big = runner.prepare("huge", Integer.toString(Rpc.MAX_PAYLOAD - 100));
        try (RawConnection raw = runner.raw()) {
            raw.send(Rpc.HTTP_REQ_CALL, Frames.call(1, big, "/"));
            RawConnection.Frame f = raw.read(20_000);
            assertEquals(Rpc.HTTP_REQ_CALL, f.type());
            assertTrue(f.length() <= Rpc.MAX_PAYLOAD);
            FlatReader r = f.reader();
            assertEquals(Rpc.MAX_PAYLOAD - 100, r.bytes(r.table(r.root(), 2), 2).length);
            stillWorks(raw, 2);
        }
    }
}
