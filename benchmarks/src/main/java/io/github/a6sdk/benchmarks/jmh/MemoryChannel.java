package io.github.a6sdk.benchmarks.jmh;

import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;

/**
 * An in-memory {@link ByteChannel}: every read delivers the same whole frame again (APISIX sending
 * the next call), every write is consumed and counted (APISIX reading the reply).
 */
final class MemoryChannel implements ByteChannel {
    private ByteBuffer frame;
    long written;

    MemoryChannel(ByteBuffer frame) {
        this.frame = frame;
    }

    void frame(ByteBuffer next) {
        this.frame = next;
    }

    @Override
    public int read(ByteBuffer dst) {
        ByteBuffer src = frame.duplicate();
        int n = Math.min(src.remaining(), dst.remaining());
        src.limit(src.position() + n);
        dst.put(src);
        return n;
    }

    @Override
    public int write(ByteBuffer src) {
        int n = src.remaining();
        src.position(src.limit());
        written += n;
        return n;
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void close() {
        // nothing to release
    }

    /** A frame: 4-byte header (type, 24-bit big-endian length) + payload, in a direct buffer. */
    static ByteBuffer frameOf(int type, ByteBuffer payload) {
        int len = payload.remaining();
        ByteBuffer f = ByteBuffer.allocateDirect(4 + len);
        f.put((byte) type).put((byte) (len >>> 16)).put((byte) (len >>> 8)).put((byte) len);
        f.put(payload.duplicate()).flip();
        return f;
    }
}
