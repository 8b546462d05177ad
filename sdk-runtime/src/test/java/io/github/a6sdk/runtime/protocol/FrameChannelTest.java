package io.github.a6sdk.runtime.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.flatbuffers.FlatBufferBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import org.junit.jupiter.api.Test;

class FrameChannelTest {

    /** Hands out the scripted chunks, one per read (split further by the reader's room), then EOF. */
    static final class ScriptedChannel implements ByteChannel {
        final Deque<byte[]> chunks = new ArrayDeque<>();
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        int reads;
        int writes;
        boolean open = true;

        ScriptedChannel chunk(byte[] bytes) {
            chunks.add(bytes);
            return this;
        }

        /** Every byte of {@code bytes} as a read of its own. */
        ScriptedChannel byteByByte(byte[] bytes) {
            for (byte x : bytes) {
                chunks.add(new byte[] {x});
            }
            return this;
        }

        @Override
        public int read(ByteBuffer dst) {
            reads++;
            byte[] next = chunks.poll();
            if (next == null) {
                return -1;
            }
            int n = Math.min(next.length, dst.remaining());
            dst.put(next, 0, n);
            if (n < next.length) {
                chunks.addFirst(Arrays.copyOfRange(next, n, next.length));
            }
            return n;
        }

        @Override
        public int write(ByteBuffer src) {
            writes++;
            int n = src.remaining();
            byte[] b = new byte[n];
            src.get(b);
            written.write(b, 0, n);
            return n;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }

    static byte[] frame(int type, byte[] payload) {
        byte[] out = new byte[4 + payload.length];
        out[0] = (byte) type;
        out[1] = (byte) (payload.length >>> 16);
        out[2] = (byte) (payload.length >>> 8);
        out[3] = (byte) payload.length;
        System.arraycopy(payload, 0, out, 4, payload.length);
        return out;
    }

    static byte[] payload(FrameChannel ch) {
        FlatReader r = ch.payload(new FlatReader());
        byte[] out = new byte[r.length()];
        r.buffer().get(r.start(), out);
        return out;
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    void aFrameSplitAcrossManySmallReads() throws IOException {
        byte[] p = bytes(3000, 1);
        ScriptedChannel sc = new ScriptedChannel().byteByByte(frame(2, p));
        FrameChannel ch = new FrameChannel(sc);
        assertTrue(ch.readFrame());
        assertEquals(2, ch.type());
        assertEquals(3000, ch.payloadLength());
        assertArrayEquals(p, payload(ch));
        assertTrue(sc.reads >= 3004);
        ch.endCall();
        assertFalse(ch.readFrame(), "clean EOF between frames");
    }

    @Test
    void twoFramesInOneRead() throws IOException {
        byte[] a = bytes(10, 2);
        byte[] b = bytes(20, 3);
        byte[] both = new byte[14 + 24];
        System.arraycopy(frame(1, a), 0, both, 0, 14);
        System.arraycopy(frame(4, b), 0, both, 14, 24);
        ScriptedChannel sc = new ScriptedChannel().chunk(both);
        FrameChannel ch = new FrameChannel(sc);
        assertTrue(ch.readFrame());
        assertEquals(1, ch.type());
        assertArrayEquals(a, payload(ch));
        ch.endCall();
        assertTrue(ch.readFrame());
        assertEquals(4, ch.type());
        assertArrayEquals(b, payload(ch));
        assertEquals(1, sc.reads, "the second frame came from the same read");
        ch.endCall();
        assertFalse(ch.readFrame());
    }

    @Test
    void framesReadDuringACallLeaveTheFirstPayloadIntact() throws IOException {
        // A call's request stays readable while ExtraInfo answers arrive after it, even when the
        // buffer has to grow for them.
        byte[] call = bytes(100, 4);
        byte[] big = bytes(FrameChannel.INITIAL_CAPACITY * 3, 5);
        ScriptedChannel sc = new ScriptedChannel().chunk(frame(2, call)).chunk(frame(3, big)).chunk(frame(3, bytes(5, 6)));
        FrameChannel ch = new FrameChannel(sc);
        assertTrue(ch.readFrame());
        FlatReader first = ch.payload(new FlatReader());
        assertTrue(ch.readFrame());
        assertArrayEquals(big, payload(ch));
        assertTrue(ch.readFrame());
        byte[] again = new byte[first.length()];
        first.buffer().get(first.start(), again);
        assertArrayEquals(call, again);
        ch.endCall();
        assertFalse(ch.readFrame());
    }

    @Test
    void aHugeAnnouncedLengthWithFewBytesThenEofAllocatesNothingBig() throws IOException {
        byte[] header = {2, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
        ScriptedChannel sc = new ScriptedChannel().chunk(header).chunk(bytes(10, 7));
        FrameChannel ch = new FrameChannel(sc);
        FrameException e = assertThrows(FrameException.class, ch::readFrame);
        assertTrue(e.getMessage().contains("10 of 16777215"), e.getMessage());
        assertTrue(ch.inputCapacity() <= 64 * 1024, "input buffer grew to " + ch.inputCapacity());
    }

    @Test
    void aTruncatedHeaderIsAFrameException() throws IOException {
        FrameChannel ch = new FrameChannel(new ScriptedChannel().chunk(new byte[] {1, 0}));
        FrameException e = assertThrows(FrameException.class, ch::readFrame);
        assertTrue(e.getMessage().contains("2 of 4"), e.getMessage());
    }

    @Test
    void aZeroLengthFrameIsReadAsAnEmptyPayload() throws IOException {
        FrameChannel ch = new FrameChannel(new ScriptedChannel().chunk(new byte[] {9, 0, 0, 0}));
        assertTrue(ch.readFrame());
        assertEquals(9, ch.type());
        assertEquals(0, ch.payloadLength());
    }

    @Test
    void theInputBufferGrowsForALargeFrameAndShrinksAfterTheCall() throws IOException {
        byte[] big = bytes(1_000_000, 8);
        byte[] small = bytes(50, 9);
        ScriptedChannel sc = new ScriptedChannel().chunk(frame(2, big)).chunk(frame(2, small));
        FrameChannel ch = new FrameChannel(sc);
        assertTrue(ch.readFrame());
        assertArrayEquals(big, payload(ch));
        assertTrue(ch.inputCapacity() >= 1_000_004);
        ch.endCall();
        assertTrue(ch.readFrame());
        assertArrayEquals(small, payload(ch));
        ch.endCall();
        assertTrue(ch.inputCapacity() <= 64 * 1024, "kept " + ch.inputCapacity() + " bytes after the call");
    }

    @Test
    void appendedFramesLeaveInOneFlush() throws Exception {
        ScriptedChannel sc = new ScriptedChannel();
        FrameChannel ch = new FrameChannel(sc);
        Encoder e = new Encoder();
        e.extraInfoVar("a");
        int first = e.builder().dataBuffer().remaining();
        ch.append(3, e.builder());
        e.extraInfoVar("b");
        ch.append(3, e.builder());
        e.extraInfoBody(false);
        ch.append(3, e.builder());
        assertEquals(0, sc.written.size(), "nothing is written before flush");
        ch.flush();
        assertEquals(1, sc.writes);
        byte[] out = sc.written.toByteArray();
        assertEquals(3, out[0]);
        assertEquals(first, (out[1] & 0xFF) << 16 | (out[2] & 0xFF) << 8 | out[3] & 0xFF);
        // Read the three frames back with a FrameChannel.
        FrameChannel back = new FrameChannel(new ScriptedChannel().chunk(out));
        for (int i = 0; i < 3; i++) {
            assertTrue(back.readFrame());
            assertEquals(3, back.type());
            back.endCall();
        }
        assertFalse(back.readFrame());
    }

    @Test
    void discardedOutputIsNotSent() throws Exception {
        ScriptedChannel sc = new ScriptedChannel();
        FrameChannel ch = new FrameChannel(sc);
        Encoder e = new Encoder();
        e.pass(1);
        ch.append(2, e.builder());
        ch.discardOutput();
        e.error(1);
        ch.append(0, e.builder());
        ch.flush();
        byte[] out = sc.written.toByteArray();
        assertEquals(0, out[0]);
        assertEquals(4 + ((out[1] & 0xFF) << 16 | (out[2] & 0xFF) << 8 | out[3] & 0xFF), out.length);
    }

    @Test
    void payloadLimits() {
        FrameChannel ch = new FrameChannel(new ScriptedChannel());
        FlatBufferBuilder max = new FlatBufferBuilder(Rpc.MAX_PAYLOAD + 64);
        // A body vector sized so that the finished buffer is just over the limit.
        FlatBufferBuilder probe = new FlatBufferBuilder();
        probe.finish(io.github.a6sdk.runtime.fbs.A6.ExtraInfo.Resp.createResp(probe, probe.createByteVector(new byte[0])));
        int overhead = probe.sizedByteArray().length;
        byte[] body = new byte[Rpc.MAX_PAYLOAD - overhead + 1];
        max.finish(io.github.a6sdk.runtime.fbs.A6.ExtraInfo.Resp.createResp(max, max.createByteVector(body)));
        int len = max.dataBuffer().remaining();
        assertTrue(len > Rpc.MAX_PAYLOAD && len <= Rpc.MAX_PAYLOAD + 8, "built " + len);
        FrameTooLargeException e = assertThrows(FrameTooLargeException.class, () -> ch.append(3, max));
        assertTrue(e.getMessage().contains("16777215"), e.getMessage());

        // A zero-length payload would break APISIX (docs/protocol.md 1.1): refused.
        FlatBufferBuilder none = new FlatBufferBuilder(16);
        none.finish(io.github.a6sdk.runtime.fbs.A6.Err.Resp.createResp(none, 1));
        none.dataBuffer().position(none.dataBuffer().limit());
        assertThrows(IllegalStateException.class, () -> ch.append(2, none));
    }

    @Test
    void aPayloadOfExactlyTheLimitIsAccepted() throws Exception {
        ScriptedChannel sc = new ScriptedChannel();
        FrameChannel ch = new FrameChannel(sc);
        FlatBufferBuilder probe = new FlatBufferBuilder();
        probe.finish(io.github.a6sdk.runtime.fbs.A6.ExtraInfo.Resp.createResp(probe, probe.createByteVector(new byte[0])));
        int overhead = probe.sizedByteArray().length;
        FlatBufferBuilder b = new FlatBufferBuilder(Rpc.MAX_PAYLOAD + 64);
        // Vectors are padded to 4 bytes, so aim at the largest size that is <= the limit.
        int n = Rpc.MAX_PAYLOAD - overhead - 3;
        b.finish(io.github.a6sdk.runtime.fbs.A6.ExtraInfo.Resp.createResp(b, b.createByteVector(new byte[n])));
        int len = b.dataBuffer().remaining();
        assertTrue(len <= Rpc.MAX_PAYLOAD && len > Rpc.MAX_PAYLOAD - 8, "built " + len);
        ch.append(3, b);
        ch.flush();
        byte[] out = sc.written.toByteArray();
        assertEquals(len, (out[1] & 0xFF) << 16 | (out[2] & 0xFF) << 8 | out[3] & 0xFF);
        assertEquals(len + 4, out.length);
    }
}
