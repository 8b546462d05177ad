package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** HTTPReqCall over a real unix socket: each action and how it is encoded for APISIX. */
@Timeout(30)
class RequestCallProtocolTest {
    @TempDir Path dir;
    TestRunner runner;
    final AtomicReference<String> seen = new AtomicReference<>();

    @BeforeEach
    void start() throws Exception {
        runner = TestRunner.start(dir,
                TestDescriptor.request("stop", (config, req, resp) -> {
                    resp.setStatus(Integer.parseInt(config.trim()));
                    resp.addHeader("X-Same", "one");
                    resp.addHeader("X-Same", "two");
                    resp.setHeader("Content-Type", "text/plain");
                    resp.setBody("stopped " + req.path());
                }),
                TestDescriptor.request("header-only", (config, req, resp) -> resp.setHeader("X-Only", "1")),
                TestDescriptor.request("rewrite", (config, req, resp) -> {
                    req.setPath("/new/path");
                    req.headers().set("X-Set", "v");
                    req.headers().set("Host", "upstream.example");
                    req.headers().remove("X-Remove");
                    req.headers().add("X-Multi", "b");
                    req.args().set("a", "foo");
                    req.args().remove("d");
                    req.args().set("c", "bar");
                    req.args().add("a", "bar");
                    req.responseHeaders().set("X-Resp", "r");
                    req.responseHeaders().add("X-Resp-Multi", "1");
                    req.responseHeaders().add("X-Resp-Multi", "2");
                    req.setBody("new body");
                }),
                TestDescriptor.request("read-only", (config, req, resp) -> {
                    seen.set(req.method() + " " + req.path() + " " + req.sourceIp() + " " + req.id() + " "
                            + req.headers().getAll("x-multi") + " " + req.args().get("flag") + " "
                            + req.args().contains("flag") + " [" + req.args().get("empty") + "]");
                }),
                TestDescriptor.request("path-only", (config, req, resp) -> req.setPath("/only")),
                TestDescriptor.request("remove-only", (config, req, resp) -> req.headers().remove("x-gone")),
                TestDescriptor.request("tag", (config, req, resp) -> req.headers().add("X-Tag", config)));
    }

    @AfterEach
    void stop() {
        runner.close();
    }

    private Reply call(long token, CallRequest req) throws Exception {
        try (ApisixClient c = runner.client()) {
            return c.call(token, req, new ExtraInfoAnswers());
        }
    }

    @Test
    void stopWithStatusMultiValueHeadersAndBody() throws Exception {
        long token = runner.prepare("stop", "403");
        Reply.Stop stop = assertInstanceOf(Reply.Stop.class, call(token, new CallRequest().id(41).path("/x")));
        assertEquals(41, stop.id());
        assertEquals(403, stop.status());
        assertEquals(List.of(Field.of("X-Same", "one"), Field.of("X-Same", "two"), Field.of("Content-Type", "text/plain")),
                stop.headers());
        assertEquals("stopped /x", stop.bodyAsString());
    }

    @Test
    void stopWithOnlyAHeaderSendsStatusZeroAndNoBody() throws Exception {
        long token = runner.prepare("header-only", "");
        Reply.Stop stop = assertInstanceOf(Reply.Stop.class, call(token, new CallRequest().id(1)));
        assertEquals(0, stop.status(), "status 0: APISIX answers 200");
        assertNull(stop.body());
        assertEquals(List.of("1"), stop.header("x-only"));
    }

    @Test
    void stopEndsTheChain() throws Exception {
        long token = runner.prepare("stop", "401", "tag", "never");
        Reply.Stop stop = assertInstanceOf(Reply.Stop.class, call(token, new CallRequest()));
        assertEquals(401, stop.status());
        assertTrue(stop.header("x-tag").isEmpty());
    }

    @Test
    void rewriteWithEveryPart() throws Exception {
        long token = runner.prepare("rewrite", "");
        Reply.Rewrite rw = assertInstanceOf(Reply.Rewrite.class, call(token, new CallRequest().id(5).path("/old")
                .header("host", "client.example").header("x-remove", "1").header("x-multi", "a")
                .arg("c", "foo").arg("d", "bar")));
        assertEquals(5, rw.id());
        assertEquals("/new/path", rw.path());
        assertEquals(List.of(Field.of("X-Set", "v"), Field.of("Host", "upstream.example"), Field.of("X-Remove", null),
                Field.of("X-Multi", "a, b")), rw.headers(), "APISIX cannot set several values: they are joined");
        // APISIX: first entry with a value replaces, later ones append, no value deletes:
        // ?c=foo&d=bar becomes a=foo&a=bar&c=bar.
        assertEquals(List.of(Field.of("a", "foo"), Field.of("a", "bar"), Field.of("d", null), Field.of("c", "bar")),
                rw.args());
        assertEquals(List.of(Field.of("X-Resp", "r"), Field.of("X-Resp-Multi", "1"), Field.of("X-Resp-Multi", "2")),
                rw.respHeaders());
        assertEquals("new body", new String(rw.body(), StandardCharsets.UTF_8));
    }

    @Test
    void rewriteWithOnlyAPathLeavesEverythingElseAbsent() throws Exception {
        long token = runner.prepare("path-only", "");
        try (RawConnection raw = runner.raw()) {
            raw.send(Rpc.HTTP_REQ_CALL, Frames.call(3, token, "/p", "x-a", "1"));
            RawConnection.Frame f = raw.read();
            assertEquals(Rpc.HTTP_REQ_CALL, f.type());
            FlatReader r = f.reader();
            int root = r.root();
            assertEquals(Rpc.ACTION_REWRITE, r.u8(root, 1));
            int rw = r.table(root, 2);
            assertEquals("/only", r.string(rw, 0));
            for (int slot = 1; slot <= 4; slot++) {
                assertFalse(r.has(rw, slot), "slot " + slot);
            }
        }
    }

    @Test
    void removingAHeaderIsARewriteWithADeleteEntry() throws Exception {
        long token = runner.prepare("remove-only", "");
        Reply.Rewrite rw = assertInstanceOf(Reply.Rewrite.class,
                call(token, new CallRequest().header("x-gone", "1").header("x-stay", "2")));
        assertNull(rw.path());
        assertEquals(List.of(Field.of("x-gone", null)), rw.headers());
        assertTrue(rw.args().isEmpty());
        assertNull(rw.body());
    }

    @Test
    void readingOnlyIsNoAction() throws Exception {
        long token = runner.prepare("read-only", "");
        try (RawConnection raw = runner.raw()) {
            // Built by hand: method PUT, IPv6 source, a bare arg and an empty one.
            com.google.flatbuffers.FlatBufferBuilder b = new com.google.flatbuffers.FlatBufferBuilder();
            byte[] v6 = new byte[16];
            v6[15] = 1;
            int ip = b.createByteVector(v6);
            int path = b.createString("/r");
            int args = Frames.entries(b, "flag", null, "empty", "");
            int headers = Frames.entries(b, "x-multi", "1", "x-multi", "2");
            b.finish(io.github.a6sdk.runtime.fbs.A6.HTTPReqCall.Req.createReq(b, 0xFFFF_FFFFL, ip, 3, path, args, headers, token));
            raw.send(Rpc.HTTP_REQ_CALL, b);
            RawConnection.Frame f = raw.read();
            assertEquals(Rpc.HTTP_REQ_CALL, f.type());
            FlatReader r = f.reader();
            int root = r.root();
            assertEquals(0xFFFF_FFFFL, r.u32(root, 0), "the id is echoed");
            assertEquals(Rpc.ACTION_NONE, r.u8(root, 1));
            assertFalse(r.has(root, 2), "no action table");
        }
        assertEquals("PUT /r 0:0:0:0:0:0:0:1 4294967295 [1, 2] null true []", seen.get());
    }

    @Test
    void pluginsRunInConfiguredOrderAndSeeEachOthersChanges() throws Exception {
        long token = runner.prepare("tag", "first", "tag", "second", "tag", "third");
        Reply.Rewrite rw = assertInstanceOf(Reply.Rewrite.class, call(token, new CallRequest()));
        assertEquals(List.of(Field.of("X-Tag", "first, second, third")), rw.headers());
    }

    @Test
    void anEmptyChainPassesTheRequest() throws Exception {
        // A route whose ext-plugin config has no conf array: PrepareConf without a conf vector.
        long token;
        try (ApisixClient c = runner.client()) {
            token = assertInstanceOf(Reply.Token.class, c.prepareConf("route#2#ext-plugin-pre-req#1", null)).token();
            assertInstanceOf(Reply.Pass.class, c.call(token, new CallRequest().id(8), new ExtraInfoAnswers()));
        }
        assertTrue(token > 0);
    }

    @Test
    void manyCallsOnOneConnectionEachGetTheirOwnReply() throws Exception {
        long stop = runner.prepare("stop", "418");
        long pass = runner.prepare("read-only", "");
        try (ApisixClient c = runner.client()) {
            for (int i = 0; i < 50; i++) {
                Reply r = c.call(i % 2 == 0 ? stop : pass, new CallRequest().id(i).path("/" + i), new ExtraInfoAnswers());
                if (i % 2 == 0) {
                    Reply.Stop s = assertInstanceOf(Reply.Stop.class, r);
                    assertEquals(i, s.id());
                    assertEquals("stopped /" + i, s.bodyAsString());
                } else {
                    assertEquals(i, assertInstanceOf(Reply.Pass.class, r).id());
                }
            }
        }
    }

    @Test
    void aStopBodyIsSentByteForByte() throws Exception {
        byte[] body = new byte[256 * 1024];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 7);
        }
        try (TestRunner other = TestRunner.start(java.nio.file.Files.createDirectories(dir.resolve("b")),
                TestDescriptor.request("bin", (config, req, resp) -> resp.setBody(body)))) {
            long token = other.prepare("bin", "");
            try (ApisixClient c = other.client()) {
                Reply.Stop s = assertInstanceOf(Reply.Stop.class, c.call(token, new CallRequest(), new ExtraInfoAnswers()));
                assertArrayEquals(body, s.body());
            }
        }
    }
}
