package io.github.a6sdk.runtime.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.flatbuffers.FlatBufferBuilder;
import io.github.a6sdk.runtime.call.EntrySource;
import io.github.a6sdk.runtime.fbs.A6.TextEntry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Malformed or hostile payloads give a DecodeException, never another exception. */
class FlatReaderTest {

    /** Payload placed at the very end of a buffer after a prefix, so reading outside it would throw IOOBE. */
    static FlatReader at(byte[] payload, int prefix) {
        ByteBuffer bb = ByteBuffer.allocate(prefix + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < prefix; i++) {
            bb.put((byte) 0x7F);
        }
        bb.put(payload);
        return new FlatReader().reset(bb, prefix, payload.length);
    }

    static int entries(FlatBufferBuilder b, String... pairs) {
        int[] offs = new int[pairs.length / 2];
        for (int i = 0; i < offs.length; i++) {
            int n = b.createString(pairs[2 * i]);
            int v = pairs[2 * i + 1] == null ? 0 : b.createString(pairs[2 * i + 1]);
            offs[i] = TextEntry.createTextEntry(b, n, v);
        }
        b.startVector(4, offs.length, 4);
        for (int i = offs.length - 1; i >= 0; i--) {
            b.addOffset(offs[i]);
        }
        return b.endVector();
    }

    static byte[] call() {
        FlatBufferBuilder b = new FlatBufferBuilder();
        int ip = b.createByteVector(new byte[] {1, 2, 3, 4});
        int path = b.createString("/some/path");
        int args = entries(b, "a", "1", "flag", null);
        int headers = entries(b, "host", "h", "x-m", "1", "x-m", "2");
        b.finish(io.github.a6sdk.runtime.fbs.A6.HTTPReqCall.Req.createReq(b, 7, ip, 2, path, args, headers, 3));
        return b.sizedByteArray();
    }

    static byte[] respCall() {
        FlatBufferBuilder b = new FlatBufferBuilder();
        int headers = entries(b, "Content-Type", "text/plain", "Set-Cookie", "a");
        b.finish(io.github.a6sdk.runtime.fbs.A6.HTTPRespCall.Req.createReq(b, 9, 200, headers, 4));
        return b.sizedByteArray();
    }

    static byte[] prepare() {
        FlatBufferBuilder b = new FlatBufferBuilder();
        int conf = entries(b, "p1", "{\"a\":1}", "p2", null);
        int key = b.createString("route#1#ext-plugin-pre-req#1");
        b.finish(io.github.a6sdk.runtime.fbs.A6.PrepareConf.Req.createReq(b, conf, key));
        return b.sizedByteArray();
    }

    static byte[] answer() {
        FlatBufferBuilder b = new FlatBufferBuilder();
        int r = b.createByteVector(new byte[] {9, 8, 7});
        b.finish(io.github.a6sdk.runtime.fbs.A6.ExtraInfo.Resp.createResp(b, r));
        return b.sizedByteArray();
    }

    static void readEntries(EntrySource s) {
        for (int i = 0; i < s.count(); i++) {
            s.name(i);
            s.value(i);
        }
    }

    /** Reads every field the runtime can read from each kind of message. */
    static final List<Consumer<FlatReader>> DECODERS = List.of(
            r -> {
                WireRequest w = new WireRequest(r);
                w.id();
                w.confToken();
                w.method();
                w.path();
                w.sourceIp();
                readEntries(w.args());
                readEntries(w.headers());
            },
            r -> {
                WireResponse w = new WireResponse(r);
                w.id();
                w.confToken();
                w.status();
                readEntries(w.headers());
            },
            r -> {
                WirePrepareConf.entries(r);
                WirePrepareConf.key(r);
            },
            r -> r.bytes(r.root(), 0));

    static final List<byte[]> SAMPLES = List.of(call(), respCall(), prepare(), answer());

    static void decodeOrDecodeException(Consumer<FlatReader> decoder, byte[] payload, String what) {
        try {
            decoder.accept(at(payload, 8));
        } catch (DecodeException expected) {
            // fine
        } catch (RuntimeException | Error e) {
            AssertionError a = new AssertionError(what + ": " + e, e);
            throw a;
        }
    }

    @Test
    void samplesDecode() {
        FlatReader r = at(call(), 8);
        WireRequest w = new WireRequest(r);
        assertEquals("/some/path", w.path());
        assertEquals(3, w.headers().count());
        for (int k = 0; k < SAMPLES.size(); k++) {
            DECODERS.get(k).accept(at(SAMPLES.get(k), 8));
        }
    }

    @Test
    void emptyAndTinyPayloads() {
        for (int len = 0; len < 8; len++) {
            byte[] p = new byte[len];
            for (Consumer<FlatReader> d : DECODERS) {
                assertThrows(DecodeException.class, () -> d.accept(at(p, 8)), "payload of " + len + " bytes");
            }
        }
    }

    @Test
    void rootOffsetPastThePayload() {
        byte[] p = call();
        ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN).putInt(0, p.length);
        assertThrows(DecodeException.class, () -> new WireRequest(at(p, 8)));
        ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN).putInt(0, -4);
        assertThrows(DecodeException.class, () -> new WireRequest(at(p, 8)));
        ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN).putInt(0, Integer.MAX_VALUE);
        assertThrows(DecodeException.class, () -> new WireRequest(at(p, 8)));
    }

    @Test
    void vtableOutsideThePayload() {
        byte[] p = call();
        ByteBuffer bb = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
        int root = bb.getInt(0);
        for (int soffset : new int[] {root + 1, root + 8, -p.length, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            bb.putInt(root, soffset);
            assertThrows(DecodeException.class, () -> new WireRequest(at(p, 8)), "soffset " + soffset);
        }
    }

    @Test
    void vectorLengthPastTheBuffer() {
        byte[] p = call();
        FlatReader r = at(p, 8);
        int table = r.root();
        int pathStart = r.stringStart(table, 3) - r.start(); // position in p of the first byte
        int headersVec = r.vector(table, 5, 4) - r.start();
        for (int n : new int[] {p.length, p.length - pathStart + 1, Integer.MAX_VALUE, -1}) {
            byte[] q = p.clone();
            ByteBuffer.wrap(q).order(ByteOrder.LITTLE_ENDIAN).putInt(pathStart - 4, n);
            assertThrows(DecodeException.class, () -> new WireRequest(at(q, 8)).path(), "string length " + n);
        }
        for (int n : new int[] {p.length, (p.length - headersVec) / 4 + 1, 1 << 30, Integer.MAX_VALUE, -1}) {
            byte[] v = p.clone();
            ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).putInt(headersVec - 4, n);
            assertThrows(DecodeException.class, () -> new WireRequest(at(v, 8)).headers(), "vector length " + n);
        }
    }

    @Test
    void fieldOffsetPastThePayload() {
        byte[] p = call();
        FlatReader r = at(p, 8);
        int table = r.root();
        int field = table + (r.buffer().getShort(table - r.buffer().getInt(table) + 4 + 2 * 3) & 0xFFFF) - r.start();
        for (int o : new int[] {p.length, p.length - field, -8, Integer.MAX_VALUE}) {
            byte[] q = p.clone();
            ByteBuffer.wrap(q).order(ByteOrder.LITTLE_ENDIAN).putInt(field, o);
            assertThrows(DecodeException.class, () -> new WireRequest(at(q, 8)).path(), "uoffset " + o);
        }
    }

    @Test
    void everyTruncationIsRejectedOrHarmless() {
        for (int k = 0; k < SAMPLES.size(); k++) {
            byte[] full = SAMPLES.get(k);
            int rejected = 0;
            for (int len = 0; len < full.length; len++) {
                byte[] cut = java.util.Arrays.copyOf(full, len);
                try {
                    DECODERS.get(k).accept(at(cut, 8));
                } catch (DecodeException e) {
                    rejected++;
                } catch (RuntimeException | Error e) {
                    fail("sample " + k + " cut to " + len + " bytes: " + e, e);
                }
            }
            assertTrue(rejected > full.length / 2, "most truncations must be noticed: " + rejected + "/" + full.length);
        }
    }

    @Test
    void randomCorruptionGivesOnlyDecodeExceptions() {
        Random random = new Random(20261125);
        for (int k = 0; k < SAMPLES.size(); k++) {
            byte[] sample = SAMPLES.get(k);
            for (int iter = 0; iter < 3000; iter++) {
                byte[] p = sample.clone();
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    int pos = random.nextInt(p.length);
                    p[pos] = random.nextInt(3) == 0 ? (byte) 0xFF : (byte) random.nextInt(256);
                }
                decodeOrDecodeException(DECODERS.get(k), p, "sample " + k + " iteration " + iter);
            }
        }
    }

    @Test
    void randomBytesGiveOnlyDecodeExceptions() {
        Random random = new Random(7);
        for (int iter = 0; iter < 3000; iter++) {
            byte[] p = new byte[random.nextInt(64)];
            random.nextBytes(p);
            for (Consumer<FlatReader> d : DECODERS) {
                decodeOrDecodeException(d, p, "random payload " + iter);
            }
        }
    }

    @Test
    void aBigEndianBufferIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new FlatReader().reset(ByteBuffer.allocate(16), 0, 16));
    }
}
