package io.github.a6sdk.runtime.reliability;

import io.github.a6sdk.runtime.call.ExtraInfo;
import io.github.a6sdk.runtime.call.RequestView;
import io.github.a6sdk.runtime.call.UpstreamView;
import io.github.a6sdk.runtime.protocol.DecodeException;
import io.github.a6sdk.runtime.protocol.FlatReader;
import io.github.a6sdk.runtime.protocol.FrameChannel;
import io.github.a6sdk.runtime.protocol.FrameException;
import io.github.a6sdk.runtime.protocol.Rpc;
import io.github.a6sdk.runtime.protocol.WirePrepareConf;
import io.github.a6sdk.runtime.protocol.WireRequest;
import io.github.a6sdk.runtime.protocol.WireResponse;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ByteChannel;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The fuzz property, shared by the Jazzer targets and the seeded mutation fuzzer: every decoder
 * returns a value or throws {@link DecodeException} / {@link FrameException}; nothing else, no hang,
 * and no allocation sized by a length the bytes do not back.
 */
final class WireFuzz {
    private WireFuzz() {}

    /** ExtraInfo for the views: answers nothing, like APISIX for a variable without value. */
    private static final ExtraInfo NO_EXTRA = new ExtraInfo() {
        @Override
        public byte[] var(String name) {
            return null;
        }

        @Override
        public byte[] requestBody() {
            return null;
        }

        @Override
        public byte[] responseBody() {
            return null;
        }
    };

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Runs once, on first use of {@link #decodePayload}. */
    private static final class WarmUp {
        static final boolean DONE = warmUp();
    }

    private static boolean warmUp() {
        // Load (and, under Jazzer, instrument) every class a decode meets before allocations are
        // counted, so that class loading is not charged to the first input.
        java.util.Random rnd = new java.util.Random(1);
        for (Map<String, byte[]> target : SeedCorpus.seeds().values()) {
            for (byte[] seed : target.values()) {
                for (int i = 0; i < 50; i++) {
                    byte[] input = i == 0 ? seed : mutate(seed, rnd);
                    for (int type = 0; type <= 5; type++) {
                        FlatReader r = new FlatReader().reset(ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN), 0,
                                input.length);
                        try {
                            decode(type, r);
                        } catch (DecodeException expected) {
                            // warming up
                        }
                    }
                }
            }
        }
        return true;
    }

    /** Heap a decode of {@code len} payload bytes may allocate: strings (as UTF-16) and their objects. */
    static long heapAllowance(int len) {
        return 64L * len + (8L << 20);
    }

    /** Decodes {@code payload} as a frame of {@code type}, through every decoder that type meets. */
    static void decodePayload(int type, byte[] payload) {
        if (!WarmUp.DONE) {
            throw new IllegalStateException();
        }
        long before = THREADS.getCurrentThreadAllocatedBytes();
        FlatReader r = new FlatReader().reset(ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN), 0, payload.length);
        try {
            decode(type, r);
        } catch (DecodeException expected) {
            // the one allowed failure
        }
        long used = THREADS.getCurrentThreadAllocatedBytes() - before;
        if (used > heapAllowance(payload.length)) {
            throw new AssertionError("decoding " + payload.length + " bytes of type " + type + " allocated " + used + " bytes");
        }
    }

    static void decode(int type, FlatReader r) {
        switch (type) {
            case Rpc.PREPARE_CONF:
                List<?> entries = WirePrepareConf.entries(r);
                WirePrepareConf.key(r);
                if (entries.size() > r.length()) {
                    throw new AssertionError("more entries than bytes");
                }
                break;
            case Rpc.HTTP_REQ_CALL: {
                WireRequest req = new WireRequest(r);
                req.confToken();
                req.id();
                RequestView view = new RequestView(req, NO_EXTRA);
                view.method();
                view.path();
                view.sourceIp();
                view.headers().get("host");
                view.args().getAll("a");
                view.headers().names();
                break;
            }
            case Rpc.HTTP_RESP_CALL: {
                WireResponse resp = new WireResponse(r);
                resp.confToken();
                UpstreamView view = new UpstreamView(resp, NO_EXTRA);
                view.id();
                view.status();
                view.headers().get("content-type");
                view.headers().names();
                break;
            }
            case Rpc.EXTRA_INFO: {
                // The runner's side: an ExtraInfo.Resp answer (Connection.answer).
                int root = r.root();
                byte[] result = r.bytes(root, 0);
                if (result != null && result.length > r.length()) {
                    throw new AssertionError("result longer than the payload");
                }
                // The client's side: an ExtraInfo.Req question.
                r.u8(root, 0);
                int info = r.table(root, 1);
                if (info != 0) {
                    r.string(info, 0);
                }
                break;
            }
            default: {
                int root = r.root();
                r.u8(root, 0);
            }
        }
    }

    /** Decodes {@code payload} as every RPC type. */
    static void decodeAsEveryType(byte[] payload) {
        for (int type = 0; type <= 4; type++) {
            decodePayload(type, payload);
        }
    }

    /**
     * Feeds {@code stream} through a {@link FrameChannel} in chunks of the given sizes and decodes
     * every frame. Direct memory must follow the bytes that arrived, not announced lengths.
     */
    static void readFrames(byte[] stream, long chunkSeed) {
        BufferPoolMXBean direct = directPool();
        long before = direct.getMemoryUsed();
        ChunkedChannel ch = new ChunkedChannel(stream, new Random(chunkSeed));
        FrameChannel io = new FrameChannel(ch);
        FlatReader reader = new FlatReader();
        int frames = 0;
        try {
            while (io.readFrame()) {
                frames++;
                if (frames > stream.length / 4 + 1) {
                    throw new AssertionError("more frames than the bytes allow");
                }
                if (io.payloadLength() > stream.length) {
                    throw new AssertionError("payload longer than the stream");
                }
                try {
                    decode(io.type(), io.payload(reader));
                } catch (DecodeException expected) {
                    // next frame
                }
                io.endCall();
            }
        } catch (FrameException expected) {
            // stream ended inside a frame
        } catch (IOException e) {
            throw new AssertionError("FrameChannel threw " + e, e);
        }
        long grown = direct.getMemoryUsed() - before;
        // Two buffers of 8 KiB to start; the input buffer may double past the bytes that arrived once.
        if (grown > 2L * stream.length + (256 << 10)) {
            throw new AssertionError("reading " + stream.length + " bytes took " + grown + " bytes of direct memory");
        }
        if (ch.reads > 4L * stream.length + 64) {
            throw new AssertionError("FrameChannel spun: " + ch.reads + " reads for " + stream.length + " bytes");
        }
    }

    private static BufferPoolMXBean directPool() {
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) {
                return b;
            }
        }
        throw new IllegalStateException("no direct buffer pool");
    }

    /** An in-memory peer that hands out its bytes in random chunks, then end-of-stream. */
    static final class ChunkedChannel implements ByteChannel {
        private final byte[] data;
        private final Random random;
        private int pos;
        long reads;

        ChunkedChannel(byte[] data, Random random) {
            this.data = data;
            this.random = random;
        }

        @Override
        public int read(ByteBuffer dst) {
            reads++;
            if (pos >= data.length) {
                return -1;
            }
            int n = Math.min(dst.remaining(), Math.min(data.length - pos, 1 + random.nextInt(64)));
            dst.put(data, pos, n);
            pos += n;
            return n;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            src.position(src.limit());
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }

    // ---- the seeded mutator of the JUnit fuzzer ----

    private static final int[] INTERESTING = {0, 1, 0x7F, 0x80, 0xFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFF_FFFF, 4, 8, -4};

    static byte[] mutate(byte[] seed, Random rnd) {
        byte[] b = seed.clone();
        int rounds = 1 + rnd.nextInt(4);
        for (int k = 0; k < rounds; k++) {
            if (b.length == 0) {
                b = new byte[] {(byte) rnd.nextInt()};
                continue;
            }
            switch (rnd.nextInt(8)) {
                case 0: // flip a bit
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                    break;
                case 1: // random byte
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt();
                    break;
                case 2: // interesting 32-bit value at an aligned spot (offsets, lengths)
                    if (b.length >= 4) {
                        int at = rnd.nextInt(b.length / 4) * 4;
                        int v = INTERESTING[rnd.nextInt(INTERESTING.length)];
                        b[at] = (byte) v;
                        b[at + 1] = (byte) (v >>> 8);
                        b[at + 2] = (byte) (v >>> 16);
                        b[at + 3] = (byte) (v >>> 24);
                    }
                    break;
                case 3: // 16-bit value (vtable entries)
                    if (b.length >= 2) {
                        int at = rnd.nextInt(b.length / 2) * 2;
                        int v = rnd.nextBoolean() ? rnd.nextInt(1 << 16) : INTERESTING[rnd.nextInt(INTERESTING.length)];
                        b[at] = (byte) v;
                        b[at + 1] = (byte) (v >>> 8);
                    }
                    break;
                case 4: // truncate
                    b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
                    break;
                case 5: // extend with junk
                    int extra = 1 + rnd.nextInt(32);
                    byte[] longer = java.util.Arrays.copyOf(b, b.length + extra);
                    for (int i = b.length; i < longer.length; i++) {
                        longer[i] = (byte) rnd.nextInt();
                    }
                    b = longer;
                    break;
                case 6: // copy a 4-byte block elsewhere (shared offsets)
                    if (b.length >= 8) {
                        int from = rnd.nextInt(b.length - 3);
                        int to = rnd.nextInt(b.length - 3);
                        System.arraycopy(b, from, b, to, 4);
                    }
                    break;
                default: // point the root elsewhere
                    if (b.length >= 4) {
                        int v = rnd.nextInt(b.length + 8);
                        b[0] = (byte) v;
                        b[1] = (byte) (v >>> 8);
                        b[2] = 0;
                        b[3] = 0;
                    }
            }
        }
        return b;
    }
}
