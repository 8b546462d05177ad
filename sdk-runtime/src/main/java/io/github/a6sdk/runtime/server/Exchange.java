package io.github.a6sdk.runtime.server;

import io.github.a6sdk.runtime.protocol.DecodeException;
import io.github.a6sdk.runtime.protocol.Encoder;
import io.github.a6sdk.runtime.protocol.FlatReader;
import io.github.a6sdk.runtime.protocol.FrameChannel;
import io.github.a6sdk.runtime.protocol.FrameException;
import io.github.a6sdk.runtime.protocol.FrameTooLargeException;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * What one thread needs to serve calls of an event loop's connections: the reply's encoder and
 * output buffer, readers, and a selector of its own on which it waits for one channel when a call
 * must wait (an ExtraInfo answer, a reply larger than the socket buffer). The loop has one for the
 * calls it runs itself; each worker thread has one. Bound to one connection for the length of a call.
 */
final class Exchange extends WireExtraInfo implements AutoCloseable {
    private static final int INITIAL_CAPACITY = 8 * 1024;
    /** A reply buffer or builder that grew past this (a big body) is dropped after the call. */
    private static final int KEEP = 1 << 20;
    private static final long WAIT_SLICE_MILLIS = 100;

    private Encoder encoder = new Encoder();
    private ByteBuffer out = allocate(INITIAL_CAPACITY);
    private final FlatReader infoReader = new FlatReader();
    private Selector waiter;
    private LoopConnection conn;
    private byte[][] preloaded;

    private static ByteBuffer allocate(int capacity) {
        return ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Serves a call of {@code c}; {@code answers}: the prefetch round the loop already made, or null. */
    void bind(LoopConnection c, byte[][] answers) {
        conn = c;
        preloaded = answers;
        out.clear();
    }

    void unbind() {
        conn = null;
        preloaded = null;
        if (encoder.builder().offset() > KEEP) {
            encoder = new Encoder();
        }
        if (out.capacity() > KEEP) {
            out = allocate(INITIAL_CAPACITY);
        }
        out.clear();
    }

    /** The frames appended so far, ready to write. */
    ByteBuffer output() {
        out.flip();
        return out;
    }

    @Override
    public Encoder encoder() {
        return encoder;
    }

    @Override
    public void resetEncoder() {
        encoder = new Encoder();
    }

    @Override
    public void append(int type) throws FrameTooLargeException {
        out = FrameChannel.appendFrame(out, type, encoder.builder());
    }

    @Override
    public void discardOutput() {
        out.clear();
    }

    // ExtraInfo: the prefetch round the loop made is served first; anything else is asked now and
    // waited for on this thread (one round trip; the questions of one round leave in one write).

    @Override
    io.github.a6sdk.runtime.metrics.Metrics metrics() {
        return conn.metrics();
    }

    @Override
    byte[][] prefetched(int n) {
        byte[][] ready = preloaded;
        preloaded = null;
        return ready != null && ready.length == n ? ready : null;
    }

    /** Sends the questions appended so far, then reads {@code n} answers. */
    @Override
    byte[][] answers(int n) throws IOException {
        conn.writeQuestions(this);
        byte[][] got = new byte[n][];
        for (int i = 0; i < n; i++) {
            FrameInput input = conn.input();
            try {
                while (!input.next(conn.channel())) {
                    await(conn.channel(), SelectionKey.OP_READ);
                }
            } catch (java.io.EOFException e) {
                throw new FrameException("APISIX closed the connection while the runner waited for an ExtraInfo answer");
            }
            conn.frameArrived();
            if (input.type() != Rpc.EXTRA_INFO) {
                throw new FrameException("expected an ExtraInfo answer, got " + Rpc.typeName(input.type()));
            }
            try {
                FlatReader r = input.payload(infoReader);
                got[i] = r.bytes(r.root(), 0);
            } catch (DecodeException e) {
                throw new FrameException("undecodable ExtraInfo answer: " + e.getMessage());
            }
        }
        return got;
    }

    /** Writes all of {@code src}, waiting while the socket buffer is full; fails once the channel is closed. */
    void writeFully(SocketChannel channel, ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            if (channel.write(src) == 0) {
                await(channel, SelectionKey.OP_WRITE);
            }
        }
    }

    /** Waits until {@code channel} is ready for {@code op} (or closed: then fails). */
    private void await(SocketChannel channel, int op) throws IOException {
        if (waiter == null) {
            waiter = Selector.open();
        }
        SelectionKey key = channel.register(waiter, op);
        try {
            while (waiter.select(WAIT_SLICE_MILLIS) == 0) {
                if (!channel.isOpen()) {
                    throw new ClosedChannelException();
                }
                if (Thread.interrupted()) {
                    throw new java.io.InterruptedIOException("interrupted while waiting for APISIX");
                }
            }
        } finally {
            key.cancel();
            waiter.selectNow();
        }
    }

    @Override
    public void close() {
        if (waiter != null) {
            try {
                waiter.close();
            } catch (IOException ignored) {
                // nothing to free
            }
        }
    }
}
