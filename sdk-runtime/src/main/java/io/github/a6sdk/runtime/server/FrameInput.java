package io.github.a6sdk.runtime.server;

import io.github.a6sdk.runtime.protocol.FlatReader;
import io.github.a6sdk.runtime.protocol.FrameException;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;

/**
 * The input side of one connection on an event loop: bytes as they arrive, cut into frames.
 *
 * <p>An idle connection holds no buffer: one is taken when bytes arrive and given back when every
 * byte was used. A frame's bytes stay where they are until {@link #endCall}, and a buffer that must
 * grow is replaced rather than changed, so a decoded request stays valid while ExtraInfo answers
 * arrive after it. The buffer grows only as bytes really arrive: a header that announces 16 MiB and
 * sends 10 bytes costs no 16 MiB allocation.
 */
final class FrameInput {
    static final int INITIAL_CAPACITY = 8 * 1024;
    private static final int KEEP_CAPACITY = 64 * 1024;

    private final BufferPool pool;
    private ByteBuffer in;
    private int readPos;
    private int type;
    private int payloadStart;
    private int payloadLength;
    /** Whether the current frame is still being handled (its bytes must not move). */
    private boolean open;

    FrameInput(BufferPool pool) {
        this.pool = pool;
    }

    static ByteBuffer allocate(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Whether bytes that are not a whole frame yet have arrived. */
    boolean hasPartialFrame() {
        return in != null && in.position() > readPos;
    }

    /**
     * Reads what the channel has (without waiting) and makes the next complete frame current.
     *
     * @return {@code true} when a frame is current; {@code false} when more bytes are needed
     * @throws java.io.EOFException on a clean end of stream between frames
     * @throws FrameException when the stream ends inside a frame
     */
    boolean next(ReadableByteChannel channel) throws IOException {
        while (true) {
            if (frameReady()) {
                return true;
            }
            int n = fill(channel);
            if (n == 0) {
                return false;
            }
            if (n < 0) {
                int have = in == null ? 0 : in.position() - readPos;
                if (have == 0) {
                    throw new java.io.EOFException();
                }
                if (have < Rpc.HEADER_SIZE) {
                    throw new FrameException("connection closed inside a frame header (" + have + " of 4 bytes)");
                }
                int len = Frames.payloadLength(in, readPos);
                throw new FrameException("connection closed inside a " + Rpc.typeName(in.get(readPos) & 0xFF)
                        + " frame: " + (have - Rpc.HEADER_SIZE) + " of " + len + " payload bytes");
            }
        }
    }

    /** Makes the next frame already read current, without reading; false when it is not all here. */
    boolean frameReady() {
        if (in == null) {
            return false;
        }
        int have = in.position() - readPos;
        if (have < Rpc.HEADER_SIZE) {
            return false;
        }
        int len = Frames.payloadLength(in, readPos);
        if (have < Rpc.HEADER_SIZE + len) {
            return false;
        }
        type = in.get(readPos) & 0xFF;
        payloadStart = readPos + Rpc.HEADER_SIZE;
        payloadLength = len;
        readPos = payloadStart + len;
        open = true;
        return true;
    }

    /** One read: bytes read, 0 when none are waiting, -1 at end of stream. */
    private int fill(ReadableByteChannel channel) throws IOException {
        if (in == null) {
            in = pool.take();
        } else if (!in.hasRemaining()) {
            int have = in.position() - readPos;
            int needed = have < Rpc.HEADER_SIZE ? Rpc.HEADER_SIZE : Rpc.HEADER_SIZE + Frames.payloadLength(in, readPos);
            // Full, and the frame needs more: double toward its size (memory follows arrived bytes). The
            // bytes of a frame still being handled stay where they are: the new buffer keeps them too.
            int keepFrom = open ? 0 : readPos;
            ByteBuffer bigger = allocate(Math.max(in.capacity() + 1,
                    Math.min(in.capacity() * 2, (readPos - keepFrom) + needed)));
            in.flip().position(keepFrom);
            bigger.put(in);
            if (!open) {
                readPos = 0;
            }
            in = bigger;
        }
        return channel.read(in);
    }

    int type() {
        return type;
    }

    int payloadLength() {
        return payloadLength;
    }

    /** A reader over the current frame's payload. */
    FlatReader payload(FlatReader reader) {
        return reader.reset(in, payloadStart, payloadLength);
    }

    /** Copies the current frame's payload out (a call that outlives this read goes to a worker). */
    ByteBuffer copyPayload() {
        ByteBuffer copy = allocate(payloadLength);
        ByteBuffer src = in.duplicate();
        src.limit(payloadStart + payloadLength).position(payloadStart);
        copy.put(src).flip();
        return copy;
    }

    /** Ends the current frame's call: its bytes may now be reused; an empty buffer is given up. */
    void endCall() {
        open = false;
        if (in == null) {
            return;
        }
        int unread = in.position() - readPos;
        if (unread == 0) {
            if (in.capacity() <= KEEP_CAPACITY) {
                in.clear();
            } else {
                in = null;
            }
            readPos = 0;
            return;
        }
        ByteBuffer target = in.capacity() > KEEP_CAPACITY && unread <= INITIAL_CAPACITY ? allocate(INITIAL_CAPACITY) : in;
        in.flip().position(readPos);
        if (target == in) {
            in.compact();
        } else {
            target.put(in);
            in = target;
        }
        readPos = 0;
    }

    /** Gives the buffer back to the loop's pool while the connection is idle (nothing unread). */
    void release() {
        if (!open && in != null && in.position() == readPos) {
            pool.give(in);
            in = null;
            readPos = 0;
        }
    }
}
