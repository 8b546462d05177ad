package io.github.a6sdk.benchmarks.load;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.net.SocketTimeoutException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The load generator's own framing (docs/protocol.md 1.1), independent of the runtime under test: one
 * blocking unix-socket connection, 4-byte header (type, 24-bit big-endian length), greedy reads.
 * After {@link #read()} the payload is at {@link #payload()} (position = payload start,
 * limit = payload end, little-endian, as FlatBuffers readers expect).
 */
final class FrameConn implements Closeable {
    private final SocketChannel ch;
    private ByteBuffer in;
    private ByteBuffer out;
    private ByteBuffer payload;
    private int readPos;
    private int type;

    private FrameConn(SocketChannel ch, ByteBuffer in, ByteBuffer out) {
        this.ch = ch;
        this.in = in;
        this.out = out;
    }

    static FrameConn connect(Path socket) throws IOException {
        return connect(socket, null);
    }

    /**
     * Connects again with the buffers of {@code previous} (closed or not in use), so that a client
     * opening a connection per call does not pay for two fresh 64 KiB direct buffers each time.
     */
    static FrameConn connect(Path socket, FrameConn previous) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        if (previous == null) {
            return new FrameConn(ch, ByteBuffer.allocateDirect(64 * 1024), ByteBuffer.allocateDirect(64 * 1024));
        }
        previous.in.clear();
        previous.out.clear();
        return new FrameConn(ch, previous.in, previous.out);
    }

    /**
     * Connects as nginx's cosocket does: a non-blocking connect(2). On a unix socket it completes or
     * fails at once (ECONNREFUSED, ENOENT, EAGAIN when the listen backlog is full); a connect still
     * pending after {@code timeoutMillis} fails. The connection is blocking afterwards.
     */
    static FrameConn connect(Path socket, long timeoutMillis) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.configureBlocking(false);
            if (!ch.connect(UnixDomainSocketAddress.of(socket))) {
                try (Selector sel = Selector.open()) {
                    ch.register(sel, SelectionKey.OP_CONNECT);
                    if (sel.select(timeoutMillis) == 0) {
                        throw new SocketTimeoutException("connect to " + socket + " timed out after " + timeoutMillis + " ms");
                    }
                }
                ch.finishConnect();
            }
            ch.configureBlocking(true);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return new FrameConn(ch, ByteBuffer.allocateDirect(64 * 1024), ByteBuffer.allocateDirect(64 * 1024));
    }

    /**
     * Whether an idle connection may be reused: nothing unread in the buffer, and a non-blocking read
     * finds neither data nor end-of-file (nginx's keepalive pool drops a connection that became
     * readable or was closed by the peer while idle).
     */
    boolean stillIdle() {
        if (hasUnread()) {
            return false;
        }
        try {
            ch.configureBlocking(false);
            int n = ch.read(ByteBuffer.allocate(1));
            ch.configureBlocking(true);
            return n == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Bytes received beyond the last frame read (nginx refuses to pool such a connection). */
    boolean hasUnread() {
        return readPos < in.position();
    }

    /** Sends one frame whose payload is {@code data} from its position to its limit. */
    void write(int frameType, ByteBuffer data) throws IOException {
        out = frame(out, frameType, data);
        while (out.hasRemaining()) {
            ch.write(out);
        }
    }

    /**
     * Puts one frame (header, then {@code data} from its position to its limit) into {@code out}, or
     * into a bigger buffer when it does not fit; returns the buffer used, flipped for writing.
     */
    static ByteBuffer frame(ByteBuffer out, int frameType, ByteBuffer data) {
        int len = data.remaining();
        if (out.capacity() < len + 4) {
            out = ByteBuffer.allocateDirect(Integer.highestOneBit(len + 4) * 2);
        }
        out.clear();
        out.put((byte) frameType).put((byte) (len >>> 16)).put((byte) (len >>> 8)).put((byte) len);
        out.put(data.duplicate());
        return out.flip();
    }

    /** The payload length in the frame header at {@code at} (24-bit big-endian after the type byte). */
    static int payloadLength(ByteBuffer in, int at) {
        return (in.get(at + 1) & 0xFF) << 16 | (in.get(at + 2) & 0xFF) << 8 | (in.get(at + 3) & 0xFF);
    }

    /** Reads the next frame; returns its type. @throws EOFException when the runner closed the connection. */
    int read() throws IOException {
        // in: [readPos, position) holds unread bytes
        if (readPos > 0 && readPos == in.position()) {
            in.clear();
            readPos = 0;
        }
        fill(4);
        int t = in.get(readPos) & 0xFF;
        int len = payloadLength(in, readPos);
        fill(4 + len);
        ByteBuffer p = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        p.limit(readPos + 4 + len).position(readPos + 4);
        payload = p.slice().order(ByteOrder.LITTLE_ENDIAN);
        readPos += 4 + len;
        type = t;
        return t;
    }

    private void fill(int need) throws IOException {
        while (in.position() - readPos < need) {
            if (in.capacity() - readPos < need) {
                ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(in.capacity(), Integer.highestOneBit(need) * 2));
                in.flip().position(readPos);
                bigger.put(in);
                in = bigger;
                readPos = 0;
            } else if (!in.hasRemaining()) {
                in.flip().position(readPos);
                in.compact();
                readPos = 0;
            }
            if (ch.read(in) < 0) {
                throw new EOFException("runner closed the connection");
            }
        }
    }

    int type() {
        return type;
    }

    /** The last frame's payload (a slice: position 0, little-endian). Valid until the next read. */
    ByteBuffer payload() {
        return payload;
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
