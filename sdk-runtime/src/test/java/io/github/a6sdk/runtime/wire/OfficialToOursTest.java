package io.github.a6sdk.runtime.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.flatbuffers.FlatBufferBuilder;
import io.github.a6sdk.api.Method;
import io.github.a6sdk.runtime.Chain;
import io.github.a6sdk.runtime.call.EntrySource;
import io.github.a6sdk.runtime.call.ExtraInfo;
import io.github.a6sdk.runtime.call.FieldList;
import io.github.a6sdk.runtime.call.RequestView;
import io.github.a6sdk.runtime.call.UpstreamView;
import io.github.a6sdk.runtime.protocol.FlatReader;
import io.github.a6sdk.runtime.protocol.WirePrepareConf;
import io.github.a6sdk.runtime.protocol.WireRequest;
import io.github.a6sdk.runtime.protocol.WireResponse;
import io.github.api7.A6.TextEntry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Messages APISIX sends, built with the official generated classes ({@code io.github.api7:A6}),
 * decoded by the runtime's own decoders. Never calls the official {@code ValidateVersion()}.
 */
class OfficialToOursTest {

    static final ExtraInfo NO_EXTRA_INFO = new ExtraInfo() {
        @Override
        public byte[] var(String name) {
            throw new AssertionError("unexpected ExtraInfo var " + name);
        }

        @Override
        public byte[] requestBody() {
            throw new AssertionError("unexpected ExtraInfo request body");
        }

        @Override
        public byte[] responseBody() {
            throw new AssertionError("unexpected ExtraInfo response body");
        }
    };

    /** The finished payload placed at an offset inside a larger buffer, as a frame sits in the input. */
    static FlatReader reader(FlatBufferBuilder b) {
        byte[] payload = b.sizedByteArray();
        ByteBuffer bb = ByteBuffer.allocate(payload.length + 7).order(ByteOrder.LITTLE_ENDIAN);
        bb.position(4);
        bb.put(payload);
        return new FlatReader().reset(bb, 4, payload.length);
    }

    static int officialEntries(FlatBufferBuilder b, String... pairs) {
        int[] offs = new int[pairs.length / 2];
        for (int i = 0; i < offs.length; i++) {
            int n = b.createString(pairs[2 * i]);
            int v = pairs[2 * i + 1] == null ? 0 : b.createString(pairs[2 * i + 1]);
            offs[i] = TextEntry.createTextEntry(b, n, v);
        }
        return io.github.api7.A6.PrepareConf.Req.createConfVector(b, offs);
    }

    static ByteBuffer raw(int... bytes) {
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = (byte) bytes[i];
        }
        return ByteBuffer.wrap(out);
    }

    @Test
    void prepareConfRequestWithEveryKindOfEntry() {
        FlatBufferBuilder b = new FlatBufferBuilder();
        int conf = officialEntries(b, "say", "{\"body\":\"hi\"}", "blank", "", "novalue", null);
        int key = b.createString("route#1#ext-plugin-pre-req#7");
        b.finish(io.github.api7.A6.PrepareConf.Req.createReq(b, conf, key));
        FlatReader r = reader(b);

        assertEquals(List.of(new Chain.Entry("say", "{\"body\":\"hi\"}"), new Chain.Entry("blank", ""),
                new Chain.Entry("novalue", null)), WirePrepareConf.entries(r));
        assertEquals("route#1#ext-plugin-pre-req#7", WirePrepareConf.key(r));
    }

    @Test
    void prepareConfRequestWithoutConfOrKey() {
        FlatBufferBuilder b = new FlatBufferBuilder();
        io.github.api7.A6.PrepareConf.Req.startReq(b);
        b.finish(io.github.api7.A6.PrepareConf.Req.endReq(b));
        FlatReader r = reader(b);
        assertEquals(List.of(), WirePrepareConf.entries(r));
        assertNull(WirePrepareConf.key(r));

        FlatBufferBuilder e = new FlatBufferBuilder();
        int empty = io.github.api7.A6.PrepareConf.Req.createConfVector(e, new int[0]);
        int key = e.createString("");
        e.finish(io.github.api7.A6.PrepareConf.Req.createReq(e, empty, key));
        FlatReader er = reader(e);
        assertEquals(List.of(), WirePrepareConf.entries(er));
        assertEquals("", WirePrepareConf.key(er), "an empty key is not an absent key");
    }

    @Test
    void httpReqCallRequestWithEveryField() {
        FlatBufferBuilder b = new FlatBufferBuilder();
        int ip = io.github.api7.A6.HTTPReqCall.Req.createSrcIpVector(b, new byte[] {10, 1, 2, 3});
        int path = b.createString("/a/b");
        int args = officialEntries(b, "flag", null, "y", "", "x", "1", "x", "2");
        int headers = officialEntries(b, "host", "example.com", "x-multi", "one", "x-multi", "two");
        b.finish(io.github.api7.A6.HTTPReqCall.Req.createReq(b, 0xFFFF_FFFFL, ip,
                io.github.api7.A6.Method.PATCH, path, args, headers, 0x8000_0001L));
        FlatReader r = reader(b);
        WireRequest w = new WireRequest(r);

        assertEquals(0xFFFF_FFFFL, w.id());
        assertEquals(0x8000_0001L, w.confToken());
        assertEquals(13, w.method());
        assertEquals("/a/b", w.path());
        assertArrayEquals(new byte[] {10, 1, 2, 3}, w.sourceIp());
        EntrySource a = w.args();
        assertEquals(4, a.count());
        assertEquals("flag", a.name(0));
        assertNull(a.value(0), "a bare ?flag has no value");
        assertEquals("", a.value(1), "?y= has an empty value");

        RequestView view = new RequestView(w, NO_EXTRA_INFO);
        assertEquals(Method.PATCH, view.method());
        assertEquals("10.1.2.3", view.sourceIp());
        assertEquals(0xFFFF_FFFFL, view.id());
        assertEquals(List.of("one", "two"), view.headers().getAll("X-Multi"));
        assertEquals("example.com", view.headers().get("Host"));
        assertTrue(view.args().contains("flag"));
        assertNull(view.args().get("flag"));
        assertEquals("", view.args().get("y"));
        assertEquals(List.of("1", "2"), view.args().getAll("x"));
        assertFalse(view.isRewritten());
    }

    @Test
    void httpReqCallRequestWithIpv6AndEveryMethod() {
        byte[] v6 = new byte[16];
        v6[0] = 0x20;
        v6[1] = 0x01;
        v6[2] = 0x0d;
        v6[3] = (byte) 0xb8;
        v6[15] = 1;
        for (int m = 0; m <= 14; m++) {
            FlatBufferBuilder b = new FlatBufferBuilder();
            int ip = io.github.api7.A6.HTTPReqCall.Req.createSrcIpVector(b, v6);
            io.github.api7.A6.HTTPReqCall.Req.startReq(b);
            io.github.api7.A6.HTTPReqCall.Req.addSrcIp(b, ip);
            io.github.api7.A6.HTTPReqCall.Req.addMethod(b, m);
            b.finish(io.github.api7.A6.HTTPReqCall.Req.endReq(b));
            RequestView view = new RequestView(new WireRequest(reader(b)), NO_EXTRA_INFO);
            assertEquals(io.github.api7.A6.Method.name(m), view.method().name());
            assertEquals("2001:db8:0:0:0:0:0:1", view.sourceIp());
        }
    }

    @Test
    void absentScalarsReadAsZeroAndAbsentVectorsAsEmpty() {
        FlatBufferBuilder b = new FlatBufferBuilder();
        io.github.api7.A6.HTTPReqCall.Req.startReq(b);
        b.finish(io.github.api7.A6.HTTPReqCall.Req.endReq(b));
        WireRequest w = new WireRequest(reader(b));
        assertEquals(0, w.id());
        assertEquals(0, w.confToken());
        assertEquals(0, w.method());
        assertNull(w.path());
        assertNull(w.sourceIp());
        assertEquals(0, w.args().count());
        assertEquals(0, w.headers().count());
        RequestView view = new RequestView(w, NO_EXTRA_INFO);
        assertEquals(Method.GET, view.method());
        assertNull(view.sourceIp());
        assertEquals(0, view.headers().size());

        // Scalars written although they equal their default read the same.
        FlatBufferBuilder f = new FlatBufferBuilder().forceDefaults(true);
        int empty = io.github.api7.A6.HTTPReqCall.Req.createHeadersVector(f, new int[0]);
        f.finish(io.github.api7.A6.HTTPReqCall.Req.createReq(f, 0, 0, 0, 0, empty, empty, 0));
        w = new WireRequest(reader(f));
        assertEquals(0, w.id());
        assertEquals(0, w.confToken());
        assertEquals(0, w.args().count());
        assertEquals(0, w.headers().count());
    }

    @Test
    void nonUtf8BytesInStringsDecodeLeniently() {
        FlatBufferBuilder b = new FlatBufferBuilder();
        int path = b.createString(raw('/', 0xFF, 'a'));
        int n1 = b.createString("x-bin");
        int v1 = b.createString(raw(0xC3, 0x28, 'z'));
        int n2 = b.createString(raw('x', 0xFE));
        int v2 = b.createString(raw(0xED, 0xA0, 0x80)); // a UTF-16 surrogate encoded in UTF-8: invalid
        int headers = io.github.api7.A6.HTTPReqCall.Req.createHeadersVector(b, new int[] {
            TextEntry.createTextEntry(b, n1, v1), TextEntry.createTextEntry(b, n2, v2)});
        int argName = b.createString(raw('k', 0x80));
        int args = io.github.api7.A6.HTTPReqCall.Req.createArgsVector(b, new int[] {
            TextEntry.createTextEntry(b, argName, b.createString(raw(0xF8, 0x88, 0x80, 0x80, 0x80)))});
        b.finish(io.github.api7.A6.HTTPReqCall.Req.createReq(b, 1, 0, 0, path, args, headers, 1));

        WireRequest w = new WireRequest(reader(b));
        assertEquals("/\uFFFDa", w.path());
        RequestView view = new RequestView(w, NO_EXTRA_INFO);
        String bin = view.headers().get("x-bin");
        assertTrue(bin.startsWith("\uFFFD") && bin.endsWith("(z"), bin);
        assertEquals(2, view.headers().size());
        assertTrue(view.headers().names().contains("x\uFFFD"));
        String arg = view.args().get("k\uFFFD");
        assertTrue(arg != null && !arg.isEmpty() && arg.chars().allMatch(c -> c == 0xFFFD), arg);
        assertTrue(view.headers().getAll("x\uFFFD").get(0).chars().allMatch(c -> c == 0xFFFD));

        FlatBufferBuilder c = new FlatBufferBuilder();
        int conf = io.github.api7.A6.PrepareConf.Req.createConfVector(c, new int[] {
            TextEntry.createTextEntry(c, c.createString(raw('p', 0xFF)), c.createString(raw('{', 0xC0, '}')))});
        c.finish(io.github.api7.A6.PrepareConf.Req.createReq(c, conf, c.createString(raw(0xFF))));
        FlatReader cr = reader(c);
        assertEquals(List.of(new Chain.Entry("p\uFFFD", "{\uFFFD}")), WirePrepareConf.entries(cr));
        assertEquals("\uFFFD", WirePrepareConf.key(cr));
    }

    @Test
    void httpRespCallRequest() {
        FlatBufferBuilder b = new FlatBufferBuilder();
        int headers = officialEntries(b, "Content-Type", "text/plain", "Set-Cookie", "a=1", "Set-Cookie", "b=2",
                "X-Empty", "");
        b.finish(io.github.api7.A6.HTTPRespCall.Req.createReq(b, 77, 502, headers, 42));
        WireResponse w = new WireResponse(reader(b));
        assertEquals(77, w.id());
        assertEquals(502, w.status());
        assertEquals(42, w.confToken());
        UpstreamView view = new UpstreamView(w, NO_EXTRA_INFO);
        assertEquals(502, view.status());
        assertEquals(List.of("a=1", "b=2"), view.headers().getAll("set-cookie"));
        assertEquals("text/plain", view.headers().get("content-type"));
        assertEquals("", view.headers().get("x-empty"));
        assertEquals(List.of("Content-Type", "Set-Cookie", "X-Empty"), List.copyOf(view.headers().names()));

        FlatBufferBuilder e = new FlatBufferBuilder();
        io.github.api7.A6.HTTPRespCall.Req.startReq(e);
        e.finish(io.github.api7.A6.HTTPRespCall.Req.endReq(e));
        WireResponse empty = new WireResponse(reader(e));
        assertEquals(0, empty.id());
        assertEquals(0, empty.status());
        assertEquals(0, empty.confToken());
        assertEquals(0, empty.headers().count());

        FlatBufferBuilder s = new FlatBufferBuilder();
        s.finish(io.github.api7.A6.HTTPRespCall.Req.createReq(s, 0, 65535, 0, 0xFFFF_FFFFL));
        WireResponse max = new WireResponse(reader(s));
        assertEquals(65535, max.status());
        assertEquals(0xFFFF_FFFFL, max.confToken());
    }

    @Test
    void extraInfoAnswerAbsentEmptyAndBinary() {
        // The runtime reads an answer's result as slot 0 of the root (Connection.answer).
        FlatBufferBuilder b = new FlatBufferBuilder();
        io.github.api7.A6.ExtraInfo.Resp.startResp(b);
        b.finish(io.github.api7.A6.ExtraInfo.Resp.endResp(b));
        FlatReader r = reader(b);
        assertNull(r.bytes(r.root(), 0));

        b = new FlatBufferBuilder();
        b.finish(io.github.api7.A6.ExtraInfo.Resp.createResp(b, io.github.api7.A6.ExtraInfo.Resp.createResultVector(b, new byte[0])));
        r = reader(b);
        assertArrayEquals(new byte[0], r.bytes(r.root(), 0));

        byte[] binary = new byte[300];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        b = new FlatBufferBuilder();
        b.finish(io.github.api7.A6.ExtraInfo.Resp.createResp(b, io.github.api7.A6.ExtraInfo.Resp.createResultVector(b, binary)));
        r = reader(b);
        assertArrayEquals(binary, r.bytes(r.root(), 0));
    }

    @Test
    void decodedViewsSurviveTheBufferBeingReadTwice() {
        // Lazy decoding must not consume the buffer: reading a field twice gives the same value.
        FlatBufferBuilder b = new FlatBufferBuilder();
        int headers = officialEntries(b, "a", "1");
        b.finish(io.github.api7.A6.HTTPReqCall.Req.createReq(b, 5, 0, 2, b.createString("/p"), 0, headers, 9));
        WireRequest w = new WireRequest(reader(b));
        assertEquals("/p", w.path());
        assertEquals("/p", w.path());
        assertEquals(5, w.id());
        assertEquals(5, w.id());
        FieldList h = FieldList.headers(w.headers());
        assertEquals("1", h.get("A"));
        assertSame(EntrySource.EMPTY, w.args());
        assertEquals(Arrays.asList("a"), List.copyOf(h.names()));
    }

    @Test
    void anEmptyPathIsNotAnAbsentPath() {
        FlatBufferBuilder b = new FlatBufferBuilder();
        int path = b.createString("");
        int headers = officialEntries(b, "x-empty", "", "x-none", null);
        b.finish(io.github.api7.A6.HTTPReqCall.Req.createReq(b, 1, 0, 0, path, 0, headers, 1));
        WireRequest w = new WireRequest(reader(b));
        assertEquals("", w.path());
        EntrySource h = w.headers();
        assertEquals("", h.value(0));
        assertNull(h.value(1));
    }

    @Test
    void officialExtraInfoQuestionsReadByOurReader() {
        // What ApisixClient (our APISIX side) reads from a runner's ExtraInfo question.
        FlatBufferBuilder b = new FlatBufferBuilder();
        int var = io.github.api7.A6.ExtraInfo.Var.createVar(b, b.createString("http_x"));
        b.finish(io.github.api7.A6.ExtraInfo.Req.createReq(b, io.github.api7.A6.ExtraInfo.Info.Var, var));
        FlatReader r = reader(b);
        int root = r.root();
        assertEquals(1, r.u8(root, 0));
        assertEquals("http_x", r.string(r.table(root, 1), 0));

        for (byte type : new byte[] {io.github.api7.A6.ExtraInfo.Info.ReqBody, io.github.api7.A6.ExtraInfo.Info.RespBody}) {
            FlatBufferBuilder e = new FlatBufferBuilder();
            io.github.api7.A6.ExtraInfo.ReqBody.startReqBody(e);
            int info = io.github.api7.A6.ExtraInfo.ReqBody.endReqBody(e);
            e.finish(io.github.api7.A6.ExtraInfo.Req.createReq(e, type, info));
            FlatReader er = reader(e);
            assertEquals(type, er.u8(er.root(), 0));
            assertTrue(er.table(er.root(), 1) != 0);
        }
    }

    static String utf8(ByteBuffer bb) {
        byte[] out = new byte[bb.remaining()];
        bb.duplicate().get(out);
        return new String(out, StandardCharsets.UTF_8);
    }
}
