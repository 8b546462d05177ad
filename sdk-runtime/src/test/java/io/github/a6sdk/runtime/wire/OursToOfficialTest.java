package io.github.a6sdk.runtime.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.call.EntrySource;
import io.github.a6sdk.runtime.call.RequestData;
import io.github.a6sdk.runtime.call.RequestView;
import io.github.a6sdk.runtime.call.ResponseData;
import io.github.a6sdk.runtime.call.StopResponse;
import io.github.a6sdk.runtime.call.UpstreamView;
import io.github.a6sdk.runtime.protocol.Encoder;
import io.github.a6sdk.runtime.protocol.FlatReader;
import io.github.api7.A6.TextEntry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Replies the runtime's {@link Encoder} builds, decoded by the official generated classes
 * ({@code io.github.api7:A6:0.6.0-RELEASE}, whose Rewrite has 4 slots). Never calls their
 * {@code ValidateVersion()}.
 */
class OursToOfficialTest {

    private final Encoder encoder = new Encoder();

    /** A copy of the finished payload, as it goes on the wire. */
    private ByteBuffer wire() {
        byte[] payload = encoder.builder().sizedByteArray();
        assertTrue(payload.length >= 8, "a payload is never (nearly) empty");
        return ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
    }

    static List<String> entries(int count, java.util.function.IntFunction<TextEntry> at) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            TextEntry e = at.apply(i);
            out.add(e.value() == null ? e.name() : e.name() + "=" + e.value());
        }
        return out;
    }

    static byte[] bytes(ByteBuffer bb) {
        if (bb == null) {
            return null;
        }
        byte[] out = new byte[bb.remaining()];
        bb.get(out);
        return out;
    }

    static RequestData request(EntrySource headers, EntrySource args) {
        return new RequestData() {
            @Override public long id() { return 1; }
            @Override public int method() { return 0; }
            @Override public String path() { return "/old"; }
            @Override public byte[] sourceIp() { return null; }
            @Override public EntrySource headers() { return headers; }
            @Override public EntrySource args() { return args; }
        };
    }

    @Test
    void errorReplies() {
        for (int code = 0; code <= 2; code++) {
            encoder.error(code);
            assertEquals(code, io.github.api7.A6.Err.Resp.getRootAsResp(wire()).code());
        }
    }

    @Test
    void prepareConfReply() {
        for (long token : new long[] {1, 2, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL}) {
            encoder.prepareConf(token);
            assertEquals(token, io.github.api7.A6.PrepareConf.Resp.getRootAsResp(wire()).confToken());
        }
    }

    @Test
    void noActionReply() {
        encoder.pass(0xFFFF_FFFEL);
        io.github.api7.A6.HTTPReqCall.Resp resp = io.github.api7.A6.HTTPReqCall.Resp.getRootAsResp(wire());
        assertEquals(0xFFFF_FFFEL, resp.id());
        assertEquals(io.github.api7.A6.HTTPReqCall.Action.NONE, resp.actionType());
        assertNull(resp.action(new io.github.api7.A6.HTTPReqCall.Stop()));
    }

    @Test
    void stopReplyWithStatusMultiValueHeadersAndBody() {
        StopResponse stop = new StopResponse();
        stop.setStatus(403);
        stop.headers().add("X-Same", "one");
        stop.headers().add("X-Same", "two");
        stop.headers().set("Content-Type", "application/json");
        stop.headers().add("X-Clear", null);
        byte[] body = {0, (byte) 0xFF, 'o', 'k'};
        stop.setBody(body);
        encoder.stop(9, stop);

        io.github.api7.A6.HTTPReqCall.Resp resp = io.github.api7.A6.HTTPReqCall.Resp.getRootAsResp(wire());
        assertEquals(9, resp.id());
        assertEquals(io.github.api7.A6.HTTPReqCall.Action.Stop, resp.actionType());
        io.github.api7.A6.HTTPReqCall.Stop s =
                (io.github.api7.A6.HTTPReqCall.Stop) resp.action(new io.github.api7.A6.HTTPReqCall.Stop());
        assertEquals(403, s.status());
        assertEquals(List.of("X-Same=one", "X-Same=two", "Content-Type=application/json", "X-Clear"),
                entries(s.headersLength(), s::headers));
        assertArrayEquals(body, bytes(s.bodyAsByteBuffer()));
    }

    @Test
    void stopReplyWithStatusZeroAndNoBody() {
        StopResponse stop = new StopResponse();
        stop.headers().set("X-Only", "h");
        encoder.stop(1, stop);
        io.github.api7.A6.HTTPReqCall.Resp resp = io.github.api7.A6.HTTPReqCall.Resp.getRootAsResp(wire());
        io.github.api7.A6.HTTPReqCall.Stop s =
                (io.github.api7.A6.HTTPReqCall.Stop) resp.action(new io.github.api7.A6.HTTPReqCall.Stop());
        assertEquals(0, s.status(), "status 0 is sent as is; APISIX turns it into 200");
        assertEquals(0, s.bodyLength());
        assertNull(s.bodyAsByteBuffer(), "no body: the field is absent");
        assertEquals(List.of("X-Only=h"), entries(s.headersLength(), s::headers));

        StopResponse bare = new StopResponse();
        bare.setStatus(204);
        encoder.stop(1, bare);
        resp = io.github.api7.A6.HTTPReqCall.Resp.getRootAsResp(wire());
        s = (io.github.api7.A6.HTTPReqCall.Stop) resp.action(new io.github.api7.A6.HTTPReqCall.Stop());
        assertEquals(204, s.status());
        assertEquals(0, s.headersLength());
    }

    @Test
    void rewriteReplyIsReadByTheirFourSlotRewriteAndCarriesOurBodyInSlot4() {
        RequestView view = new RequestView(
                request(EntrySource.of("host", "a.example", "x-gone", "1", "accept", "*/*", "x-multi", "a"),
                        EntrySource.of("keep", "1", "drop", "2", "m", "1")),
                OfficialToOursTest.NO_EXTRA_INFO);
        view.setPath("/new");
        view.headers().set("Host", "b.example");
        view.headers().remove("x-gone");
        view.headers().add("x-multi", "b");
        view.args().remove("drop");
        view.args().add("m", "2");
        view.args().set("new", "");
        view.responseHeaders().add("X-Resp", "r1");
        view.responseHeaders().add("X-Resp", "r2");
        byte[] body = "new body".getBytes(StandardCharsets.UTF_8);
        view.setBody(body);
        encoder.rewrite(3, view);
        ByteBuffer wire = wire();

        io.github.api7.A6.HTTPReqCall.Resp resp = io.github.api7.A6.HTTPReqCall.Resp.getRootAsResp(wire);
        assertEquals(3, resp.id());
        assertEquals(io.github.api7.A6.HTTPReqCall.Action.Rewrite, resp.actionType());
        io.github.api7.A6.HTTPReqCall.Rewrite rw =
                (io.github.api7.A6.HTTPReqCall.Rewrite) resp.action(new io.github.api7.A6.HTTPReqCall.Rewrite());
        assertEquals("/new", rw.path());
        assertEquals(List.of("Host=b.example", "x-gone", "x-multi=a, b"), entries(rw.headersLength(), rw::headers));
        assertEquals(List.of("drop", "m=1", "m=2", "new="), entries(rw.argsLength(), rw::args));
        assertEquals(List.of("X-Resp=r1", "X-Resp=r2"), entries(rw.respHeadersLength(), rw::respHeaders));

        // Slot 4 (vtable offset 12) is really there, and our own generated class reads it.
        FlatReader r = new FlatReader().reset(wire, 0, wire.capacity());
        int rewrite = r.table(r.root(), 2);
        assertTrue(r.has(rewrite, 4));
        assertArrayEquals(body, r.bytes(rewrite, 4));
        io.github.a6sdk.runtime.fbs.A6.HTTPReqCall.Rewrite ours = (io.github.a6sdk.runtime.fbs.A6.HTTPReqCall.Rewrite)
                io.github.a6sdk.runtime.fbs.A6.HTTPReqCall.Resp.getRootAsResp(wire.duplicate().order(ByteOrder.LITTLE_ENDIAN))
                        .action(new io.github.a6sdk.runtime.fbs.A6.HTTPReqCall.Rewrite());
        assertArrayEquals(body, bytes(ours.bodyAsByteBuffer()));
    }

    @Test
    void rewriteReplyWithOnlyAPathHasNoOtherFields() {
        RequestView view = new RequestView(request(EntrySource.EMPTY, EntrySource.EMPTY), OfficialToOursTest.NO_EXTRA_INFO);
        view.setPath("/only");
        encoder.rewrite(4, view);
        ByteBuffer wire = wire();
        io.github.api7.A6.HTTPReqCall.Rewrite rw = (io.github.api7.A6.HTTPReqCall.Rewrite)
                io.github.api7.A6.HTTPReqCall.Resp.getRootAsResp(wire).action(new io.github.api7.A6.HTTPReqCall.Rewrite());
        assertEquals("/only", rw.path());
        assertEquals(0, rw.headersLength());
        assertEquals(0, rw.argsLength());
        assertEquals(0, rw.respHeadersLength());
        FlatReader r = new FlatReader().reset(wire, 0, wire.capacity());
        int t = r.table(r.root(), 2);
        for (int slot = 1; slot <= 4; slot++) {
            assertTrue(!r.has(t, slot), "slot " + slot + " should be absent");
        }
    }

    @Test
    void extraInfoQuestions() {
        encoder.extraInfoVar("remote_addr");
        io.github.api7.A6.ExtraInfo.Req req = io.github.api7.A6.ExtraInfo.Req.getRootAsReq(wire());
        assertEquals(io.github.api7.A6.ExtraInfo.Info.Var, req.infoType());
        io.github.api7.A6.ExtraInfo.Var var =
                (io.github.api7.A6.ExtraInfo.Var) req.info(new io.github.api7.A6.ExtraInfo.Var());
        assertEquals("remote_addr", var.name());

        encoder.extraInfoBody(false);
        req = io.github.api7.A6.ExtraInfo.Req.getRootAsReq(wire());
        assertEquals(io.github.api7.A6.ExtraInfo.Info.ReqBody, req.infoType());
        assertNotNull(req.info(new io.github.api7.A6.ExtraInfo.ReqBody()));

        encoder.extraInfoBody(true);
        req = io.github.api7.A6.ExtraInfo.Req.getRootAsReq(wire());
        assertEquals(io.github.api7.A6.ExtraInfo.Info.RespBody, req.infoType());
        assertNotNull(req.info(new io.github.api7.A6.ExtraInfo.RespBody()));
    }

    static ResponseData upstream(int status, EntrySource headers) {
        return new ResponseData() {
            @Override public long id() { return 11; }
            @Override public int status() { return status; }
            @Override public EntrySource headers() { return headers; }
        };
    }

    @Test
    void respCallReplyUnchanged() {
        UpstreamView view = new UpstreamView(upstream(200, EntrySource.of("Content-Type", "text/plain")),
                OfficialToOursTest.NO_EXTRA_INFO);
        view.headers().get("content-type"); // reading is not changing
        encoder.respCall(11, view);
        io.github.api7.A6.HTTPRespCall.Resp resp = io.github.api7.A6.HTTPRespCall.Resp.getRootAsResp(wire());
        assertEquals(11, resp.id());
        assertEquals(0, resp.status(), "0 = keep the upstream status");
        assertEquals(0, resp.headersLength());
        assertNull(resp.bodyAsByteBuffer());
    }

    @Test
    void respCallReplyWithStatusHeadersAndBody() {
        UpstreamView view = new UpstreamView(upstream(200, EntrySource.of("Content-Type", "text/plain",
                "Content-Length", "5", "Set-Cookie", "a=1", "Set-Cookie", "b=2", "Transfer-Encoding", "chunked",
                "Connection", "keep-alive")), OfficialToOursTest.NO_EXTRA_INFO);
        view.setStatus(201);
        view.headers().set("X-Added", "yes");
        view.setBody("changed");
        encoder.respCall(12, view);
        io.github.api7.A6.HTTPRespCall.Resp resp = io.github.api7.A6.HTTPRespCall.Resp.getRootAsResp(wire());
        assertEquals(12, resp.id());
        assertEquals(201, resp.status());
        assertEquals(List.of("Content-Type=text/plain", "Set-Cookie=a=1", "Set-Cookie=b=2", "X-Added=yes"),
                entries(resp.headersLength(), resp::headers));
        assertEquals("changed", new String(bytes(resp.bodyAsByteBuffer()), StandardCharsets.UTF_8));
    }
}
