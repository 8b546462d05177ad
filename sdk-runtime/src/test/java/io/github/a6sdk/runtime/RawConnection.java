package io.github.a6sdk.runtime;

import com.google.flatbuffers.FlatBufferBuilder;
import io.github.a6sdk.runtime.protocol.FlatReader;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A byte-level client for tests: writes whatever frames (or broken bytes) a test wants and reads
 * frames with a deadline, so that a runner that does not answer fails the test instead of hanging.
 */
public final class RawConnection implements AutoCloseable {
    /** One frame as received: its type byte and a little-endian copy of its payload. */
    public record Frame(int type, ByteBuffer payload) {
        public FlatReader reader() {
            return new FlatReader().reset(payload, 0, payload.capacity());
        }

        public int length() {
            return payload.capacity();
        }
    }

    private final SocketChannel ch;
    private final Selector selector;

    private RawConnection(SocketChannel ch) throws IOException {
        this.ch = ch;
        ch.configureBlocking(false);
        this.selector = Selector.open();
        ch.register(selector, SelectionKey.OP_READ);
    }

    public static RawConnection connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return new RawConnection(ch);
    }

    /** Sends one frame whose payload is the finished buffer of {@code b}. */
    public void send(int type, FlatBufferBuilder b) throws IOException {
        send(type, b.sizedByteArray());
    }

    /** Sends one well-formed frame around {@code payload}. */
    public void send(int type, byte[] payload) throws IOException {
        writeAll(frame(type, payload));
    }

    /** The bytes of a frame: header (type, 24-bit big-endian length) and payload. */
    public static byte[] frame(int type, byte[] payload) {
        byte[] out = new byte[4 + payload.length];
        out[0] = (byte) type;
        out[1] = (byte) (payload.length >>> 16);
        out[2] = (byte) (payload.length >>> 8);
        out[3] = (byte) payload.length;
        System.arraycopy(payload, 0, out, 4, payload.length);
        return out;
    }

    /** Writes raw bytes, whatever they are. */
    public void writeAll(byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (buf.hasRemaining()) {
            if (ch.write(buf) == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("write stalled");
                }
                Thread.onSpinWait();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
        }
    }

    /** Half-closes: the runner sees end of stream. */
    public void shutdownOutput() throws IOException {
        ch.shutdownOutput();
    }

    /** Reads one frame, failing when none arrives within {@code millis}. */
    public Frame read(long millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        ByteBuffer header = ByteBuffer.allocate(4);
        if (!fill(header, deadline)) {
            throw new IOException("connection closed before a frame");
        }
        int type = header.get(0) & 0xFF;
        int len = (header.get(1) & 0xFF) << 16 | (header.get(2) & 0xFF) << 8 | header.get(3) & 0xFF;
        ByteBuffer payload = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        if (len > 0 && !fill(payload, deadline)) {
            throw new IOException("connection closed inside a frame");
        }
        payload.clear();
        return new Frame(type, payload);
    }

    public Frame read() throws IOException {
        return read(10_000);
    }

    /** Whether the runner closed the connection (end of stream) within {@code millis}, with no data. */
    public boolean closedWithin(long millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            int n;
            try {
                n = ch.read(one);
            } catch (IOException e) {
                return true; // reset by peer
            }
            if (n < 0) {
                return true;
            }
            if (n > 0) {
                throw new AssertionError("expected the runner to close the connection, got data: " + one.get(0));
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            selector.select(Math.max(1, left / 1_000_000L));
            selector.selectedKeys().clear();
        }
    }

    /** Whether nothing at all arrives within {@code millis} (the runner is waiting). */
    public boolean silentFor(long millis) throws IOException {
        selector.select(millis);
        boolean ready = !selector.selectedKeys().isEmpty();
        selector.selectedKeys().clear();
        if (!ready) {
            return true;
        }
        ByteBuffer one = ByteBuffer.allocate(1);
        int n = ch.read(one);
        if (n > 0) {
            throw new AssertionError("unexpected data from the runner: " + Arrays.toString(Arrays.copyOf(one.array(), n)));
        }
        return n == 0;
    }

    private boolean fill(ByteBuffer buf, long deadline) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf);
            if (n < 0) {
                return false;
            }
            if (n == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("timed out waiting for the runner (" + buf.position() + " of "
                            + buf.capacity() + " bytes read)");
                }
                selector.select(Math.max(1, left / 1_000_000L));
                selector.selectedKeys().clear();
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            ch.close();
        }
    }
}
