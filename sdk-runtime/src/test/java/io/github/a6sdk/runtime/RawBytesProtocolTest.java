package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.flatbuffers.FlatBufferBuilder;
import io.github.a6sdk.runtime.fbs.A6.TextEntry;
import io.github.a6sdk.runtime.protocol.FlatReader;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bytes that are not valid UTF-8 (APISIX passes on whatever nginx has, docs/protocol.md 2.2): plugins
 * see them decoded leniently, and entries the runner repeats in a reply keep their exact bytes.
 */
@Timeout(30)
class RawBytesProtocolTest {
    @TempDir Path dir;
    TestRunner runner;
    final List<String> seen = new ArrayList<>();

    /** "attachment; filename=\"caf\xE9.txt\"": Latin-1, not UTF-8. */
    static final byte[] LATIN1 = "attachment; filename=\"caf\u00e9.txt\"".getBytes(StandardCharsets.ISO_8859_1);
    static final byte[] BAD_NAME = {'x', '-', (byte) 0xFF};

    @BeforeEach
    void start() throws Exception {
        runner = TestRunner.start(dir,
                TestDescriptor.response("add", (config, up) -> {
                    seen.add(up.headers().get("content-disposition"));
                    up.headers().add("X-Added", "1");
                }),
                TestDescriptor.request("args", (config, req, resp) -> {
                    seen.add(req.args().get("q"));
                    req.args().add("q", "second");
                    req.headers().add("x-latin", "more");
                }));
    }

    @AfterEach
    void stop() {
        runner.close();
    }

    static int entry(FlatBufferBuilder b, byte[] name, byte[] value) {
        return TextEntry.createTextEntry(b, b.createString(ByteBuffer.wrap(name)), b.createString(ByteBuffer.wrap(value)));
    }

    static int vector(FlatBufferBuilder b, int... offs) {
        b.startVector(4, offs.length, 4);
        for (int i = offs.length - 1; i >= 0; i--) {
            b.addOffset(offs[i]);
        }
        return b.endVector();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Name and value bytes of each entry of the vector in {@code slot} of {@code table}. */
    static List<byte[][]> rawEntries(FlatReader r, int table, int slot) {
        List<byte[][]> out = new ArrayList<>();
        int vec = r.vector(table, slot, 4);
        for (int i = 0; i < r.vectorLength(vec); i++) {
            int e = r.tableAt(vec, i);
            out.add(new byte[][] {bytesOf(r, e, 0), bytesOf(r, e, 1)});
        }
        return out;
    }

    static byte[] bytesOf(FlatReader r, int table, int slot) {
        int start = r.stringStart(table, slot);
        if (start < 0) {
            return null;
        }
        byte[] out = new byte[r.vectorLength(start)];
        r.buffer().get(start, out);
        return out;
    }

    @Test
    void theFullResponseHeaderSetKeepsTheUpstreamBytes() throws Exception {
        long token = runner.prepare("add", "");
        FlatBufferBuilder b = new FlatBufferBuilder();
        int headers = vector(b, entry(b, ascii("Content-Disposition"), LATIN1), entry(b, BAD_NAME, new byte[] {(byte) 0xC0}));
        b.finish(io.github.a6sdk.runtime.fbs.A6.HTTPRespCall.Req.createReq(b, 1, 200, headers, token));
        try (RawConnection raw = runner.raw()) {
            raw.send(Rpc.HTTP_RESP_CALL, b);
            RawConnection.Frame f = raw.read();
            assertEquals(Rpc.HTTP_RESP_CALL, f.type());
            FlatReader r = f.reader();
            List<byte[][]> entries = rawEntries(r, r.root(), 2);
            assertEquals(3, entries.size());
            assertArrayEquals(ascii("Content-Disposition"), entries.get(0)[0]);
            assertArrayEquals(LATIN1, entries.get(0)[1], "the Latin-1 value goes back byte for byte");
            assertArrayEquals(BAD_NAME, entries.get(1)[0]);
            assertArrayEquals(new byte[] {(byte) 0xC0}, entries.get(1)[1]);
            assertArrayEquals(ascii("X-Added"), entries.get(2)[0]);
        }
        assertEquals(List.of("attachment; filename=\"caf\uFFFD.txt\""), seen, "the plugin sees U+FFFD");
    }

    @Test
    void rewrittenArgsAndJoinedHeadersKeepTheOriginalBytes() throws Exception {
        long token = runner.prepare("args", "");
        FlatBufferBuilder b = new FlatBufferBuilder();
        int args = vector(b, entry(b, ascii("q"), LATIN1));
        int headers = vector(b, entry(b, ascii("x-latin"), LATIN1));
        int path = b.createString("/");
        b.finish(io.github.a6sdk.runtime.fbs.A6.HTTPReqCall.Req.createReq(b, 1, 0, 0, path, args, headers, token));
        try (RawConnection raw = runner.raw()) {
            raw.send(Rpc.HTTP_REQ_CALL, b);
            RawConnection.Frame f = raw.read();
            assertEquals(Rpc.HTTP_REQ_CALL, f.type());
            FlatReader r = f.reader();
            assertEquals(Rpc.ACTION_REWRITE, r.u8(r.root(), 1));
            int rw = r.table(r.root(), 2);
            List<byte[][]> a = rawEntries(r, rw, 2);
            assertEquals(2, a.size());
            assertArrayEquals(LATIN1, a.get(0)[1]);
            assertArrayEquals(ascii("second"), a.get(1)[1]);
            List<byte[][]> h = rawEntries(r, rw, 1);
            assertEquals(1, h.size());
            byte[] expected = new byte[LATIN1.length + 6];
            System.arraycopy(LATIN1, 0, expected, 0, LATIN1.length);
            System.arraycopy(ascii(", more"), 0, expected, LATIN1.length, 6);
            assertArrayEquals(expected, h.get(0)[1]);
        }
        assertEquals(1, seen.size());
    }
}
