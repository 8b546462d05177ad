package io.github.a6sdk.runtime.protocol;

import com.google.flatbuffers.FlatBufferBuilder;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ByteChannel;

/**
 * Reads and writes ext-plugin frames on one connection.
 *
 * <p>Input is read greedily into one buffer. While a call is open (between {@link #readFrame} of
 * the call and {@link #endCall}) frames are only appended after it, and a buffer that must grow is
 * replaced rather than changed, so a decoded request stays valid while ExtraInfo answers arrive.
 * The buffer grows only as bytes really arrive: a header that announces 16 MiB and sends 10 bytes
 * costs no 16 MiB allocation.
 *
 * <p>Output frames are appended to one buffer and written with one {@link #flush}, so pipelined
 * ExtraInfo questions leave in a single write.
 */
public final class FrameChannel implements Closeable {
    static final int INITIAL_CAPACITY = 8 * 1024;
    private static final int KEEP_CAPACITY = 64 * 1024;

    private final ByteChannel channel;
    private ByteBuffer in;
    private int readPos;
    private ByteBuffer out;

    private int type;
    private int payloadStart;
    private int payloadLength;

    public FrameChannel(ByteChannel channel) {
        this.channel = channel;
        this.in = allocate(INITIAL_CAPACITY);
        this.out = allocate(INITIAL_CAPACITY);
    }

    private static ByteBuffer allocate(int capacity) {
        return ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Reads the next frame. Returns {@code false} on a clean end of stream between frames.
     *
     * @throws FrameException when the stream ends inside a frame
     */
    public boolean readFrame() throws IOException {
        while (in.position() - readPos < Rpc.HEADER_SIZE) {
            if (!fill(Rpc.HEADER_SIZE)) {
                if (in.position() == readPos) {
                    return false;
                }
                throw new FrameException("connection closed inside a frame header ("
                        + (in.position() - readPos) + " of 4 bytes)");
            }
        }
        int t = in.get(readPos) & 0xFF;
        int len = (in.get(readPos + 1) & 0xFF) << 16 | (in.get(readPos + 2) & 0xFF) << 8 | in.get(readPos + 3) & 0xFF;
        while (in.position() - readPos < Rpc.HEADER_SIZE + len) {
            if (!fill(Rpc.HEADER_SIZE + len)) {
                throw new FrameException("connection closed inside a " + Rpc.typeName(t) + " frame: "
                        + (in.position() - readPos - Rpc.HEADER_SIZE) + " of " + len + " payload bytes");
            }
        }
        type = t;
        payloadStart = readPos + Rpc.HEADER_SIZE;
        payloadLength = len;
        readPos = payloadStart + len;
        return true;
    }

    /** Reads more bytes, growing the buffer when the frame being read needs room; false on EOF. */
    private boolean fill(int frameSize) throws IOException {
        if (!in.hasRemaining()) {
            // Full, and the frame needs more: double toward its size, so memory follows the bytes
            // that really arrived rather than the length the header announced.
            int needed = readPos + frameSize;
            ByteBuffer bigger = allocate(Math.min(in.capacity() * 2, needed));
            in.flip();
            bigger.put(in);
            in = bigger;
        }
        return channel.read(in) >= 0;
    }

    /** Whether bytes beyond the last frame read have arrived (a frame the peer sent unasked). */
    public boolean hasUnread() {
        return in.position() > readPos;
    }

    /** The input buffer's capacity: memory follows the bytes that arrived, not announced lengths (for tests). */
    int inputCapacity() {
        return in.capacity();
    }

    /** The type byte of the last frame read. */
    public int type() {
        return type;
    }

    /** A reader over the payload of the last frame read. */
    public FlatReader payload(FlatReader reader) {
        return reader.reset(in, payloadStart, payloadLength);
    }

    public int payloadLength() {
        return payloadLength;
    }

    /** Ends the current call: the input read so far may now be reused. */
    public void endCall() {
        int unread = in.position() - readPos;
        if (unread == 0 && in.capacity() <= KEEP_CAPACITY) {
            in.clear();
        } else {
            ByteBuffer target = in.capacity() > KEEP_CAPACITY && unread <= INITIAL_CAPACITY ? allocate(INITIAL_CAPACITY) : in;
            in.flip().position(readPos);
            if (target == in) {
                in.compact();
            } else {
                target.put(in);
                in = target;
            }
        }
        readPos = 0;
        if (out.capacity() > KEEP_CAPACITY) {
            out = allocate(INITIAL_CAPACITY);
        }
    }

    /**
     * Appends one frame whose payload is the finished buffer of {@code builder}.
     *
     * @throws FrameTooLargeException when the payload exceeds {@link Rpc#MAX_PAYLOAD}
     */
    public void append(int frameType, FlatBufferBuilder builder) throws FrameTooLargeException {
        out = appendFrame(out, frameType, builder);
    }

    /**
     * Appends one frame of {@code frameType} whose payload is the finished buffer of {@code builder}
     * to {@code out}; returns {@code out}, or a larger direct buffer holding what it held and the frame.
     *
     * @throws FrameTooLargeException when the payload exceeds {@link Rpc#MAX_PAYLOAD}
     */
    public static ByteBuffer appendFrame(ByteBuffer out, int frameType, FlatBufferBuilder builder)
            throws FrameTooLargeException {
        ByteBuffer data = builder.dataBuffer();
        int len = data.remaining();
        if (len > Rpc.MAX_PAYLOAD) {
            throw new FrameTooLargeException(len);
        }
        if (len == 0) {
            throw new IllegalStateException("refusing to send an empty payload");
        }
        ByteBuffer target = out;
        if (target.remaining() < Rpc.HEADER_SIZE + len) {
            target = allocate(Math.max(out.capacity() * 2, out.position() + Rpc.HEADER_SIZE + len));
            out.flip();
            target.put(out);
        }
        target.put((byte) frameType).put((byte) (len >>> 16)).put((byte) (len >>> 8)).put((byte) len);
        target.put(data);
        return target;
    }

    /** Writes every appended frame. */
    public void flush() throws IOException {
        out.flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
        out.clear();
    }

    /** Drops appended frames that were not flushed (a reply replaced by an error reply). */
    public void discardOutput() {
        out.clear();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
