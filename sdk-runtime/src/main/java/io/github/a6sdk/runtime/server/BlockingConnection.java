package io.github.a6sdk.runtime.server;

import io.github.a6sdk.runtime.metrics.Metrics;
import io.github.a6sdk.runtime.protocol.DecodeException;
import io.github.a6sdk.runtime.protocol.Encoder;
import io.github.a6sdk.runtime.protocol.ExtraInfoFailedException;
import io.github.a6sdk.runtime.protocol.FlatReader;
import io.github.a6sdk.runtime.protocol.FrameChannel;
import io.github.a6sdk.runtime.protocol.FrameException;
import io.github.a6sdk.runtime.protocol.FrameTooLargeException;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serves one APISIX connection on a thread of its own with blocking I/O: for transports whose
 * channels a JDK selector cannot watch (jnr-unixsocket). One exchange at a time, as APISIX never
 * pipelines; a plugin that blocks holds only this connection. What to answer is {@link CallHandler}'s.
 *
 * <p>Every write of a call happens under {@link #writeLock} and only while the call has not timed
 * out. The runner's watchdog ({@link #checkDeadline}) gives up on a call that runs past
 * {@code A6_CALL_TIMEOUT_MS}: it marks the call timed out under the same lock (so no reply of the
 * plugin can follow), answers SERVICE_UNAVAILABLE from a helper thread, interrupts the plugin's
 * thread and closes the connection, which ends its thread once the plugin returns.
 */
final class BlockingConnection extends WireExtraInfo implements Runnable, ServerConnection {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");
    /** A reply builder that grew past this (a big body) is dropped after the call, not kept per connection. */
    private static final int ENCODER_KEEP = 1 << 20;
    private static final long GRACE_NANOS = Timeouts.GRACE_NANOS;
    private static final byte[] UNAVAILABLE_FRAME = Frames.errorFrame(Rpc.ERR_SERVICE_UNAVAILABLE);

    private final Server server;
    private final CallHandler handler;
    private final ByteChannel channel;
    private final FrameChannel io;
    private Encoder encoder = new Encoder();
    private final FlatReader callReader = new FlatReader();
    private final FlatReader infoReader = new FlatReader();
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile Thread thread;
    private volatile boolean busy;
    /**
     * The goodbye went out (under writeLock): behind a reply (the connection then closes), or on its own
     * while idle (frames that arrive from then on are dropped until the client closes).
     */
    private volatile boolean retired;
    /** When the connection was accepted or last answered a call. */
    private volatile long lastActive = System.nanoTime();
    private volatile long callSeq;
    private volatile long callStart;
    /** What the connection is doing; {@code call.timedOut} is set under writeLock once the watchdog gave up. */
    private final CallState call = new CallState();
    private volatile long timedOutAt;
    private volatile boolean forced;
    /** Claimed by whoever writes the SERVICE_UNAVAILABLE of a timed-out call: exactly one error frame. */
    private final java.util.concurrent.atomic.AtomicBoolean timeoutReplyClaimed = new java.util.concurrent.atomic.AtomicBoolean();

    BlockingConnection(Server server, ByteChannel channel) {
        this.server = server;
        this.handler = server.handler();
        this.channel = channel;
        this.io = new FrameChannel(new Metered());
    }

    /** When the first bytes of a frame not yet complete arrived (0: none pending). */
    private volatile long frameStart;

    /** The socket, noting when a frame starts to arrive, so that a peer that stalls mid-frame is noticed. */
    private final class Metered implements ByteChannel {
        @Override
        public int read(ByteBuffer dst) throws IOException {
            int n = channel.read(dst);
            if (n > 0 && frameStart == 0) {
                frameStart = System.nanoTime();
            }
            return n;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return channel.write(src);
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    @Override
    public boolean isBusy() {
        return busy;
    }

    /** Since when the connection has been idle with nothing arriving (now, if a frame is arriving). */
    @Override
    public long quietSince() {
        return frameStart != 0 ? System.nanoTime() : lastActive;
    }

    /** The thread serving this connection, once it started. */
    Thread thread() {
        return thread;
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            while (io.readFrame()) {
                if (!beginCall()) {
                    io.endCall(); // a retired connection: the client has the goodbye as its answer
                    continue;
                }
                callStart = System.nanoTime();
                callSeq++;
                int type = io.type();
                call.begin(type);
                try {
                    handle();
                    flush(true);
                } finally {
                    Metrics m = server.metrics();
                    if (m != null) {
                        m.callEnded(type, callStart);
                    }
                    io.endCall();
                    lastActive = System.nanoTime();
                    busy = false;
                    trimEncoder();
                }
                if (call.timedOut || retired) { // retired: the reply carried the goodbye
                    break;
                }
            }
        } catch (TimedOut e) {
            LOG.log(Level.DEBUG, "{0}: reply dropped, the call had timed out", call.name());
        } catch (FrameException e) {
            if (!call.timedOut) {
                count(Metrics.FRAME_PROTOCOL);
                server.logs().badFrames.log(Level.WARNING, "closing connection: {0}", e.getMessage());
            }
        } catch (ExtraInfoFailedException e) {
            if (!call.timedOut) {
                server.logs().badFrames.log(Level.WARNING, "closing connection: {0} during {1}", e.getMessage(), call.name());
            }
        } catch (IOException e) {
            if (!server.isClosingConnections() && !call.timedOut) {
                LOG.log(Level.DEBUG, "connection ended: {0}", e.toString());
            }
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "closing connection after an unexpected failure in " + call.name(), e);
        } finally {
            close();
            server.closed(this);
            if (call.timedOut) {
                // Clear an interrupt the watchdog sent after the plugin had already returned.
                Thread.interrupted();
            }
        }
    }

    /** A frame has arrived: the call begins, unless the goodbye went out first (then it is dropped). */
    private boolean beginCall() {
        writeLock.lock();
        try {
            frameStart = 0;
            if (retired) {
                return false;
            }
            busy = true;
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void sayGoodbye() {
        writeLock.lock();
        try {
            if (busy || retired || frameStart != 0 || !channel.isOpen()) {
                return;
            }
            retired = true;
            ByteBuffer bye = ByteBuffer.wrap(Frames.GOODBYE);
            while (bye.hasRemaining()) {
                channel.write(bye);
            }
            if (channel instanceof SocketChannel) {
                ((SocketChannel) channel).shutdownOutput();
            }
        } catch (IOException e) {
            close();
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void close() {
        try {
            io.close();
        } catch (IOException ignored) {
            // nothing left to do with a connection that failed to close
        }
    }

    /**
     * Writes the reply of the call, unless the watchdog gave up on the call: then the timeout's
     * SERVICE_UNAVAILABLE goes out instead (if the watchdog's helper has not sent it yet).
     */
    private void flush(boolean reply) throws IOException {
        writeLock.lock();
        try {
            if (call.timedOut) {
                io.discardOutput();
                sendTimeoutReply();
                throw new TimedOut();
            }
            if (reply && server.isClosingConnections()) {
                Frames.appendGoodbye(this); // the connection's last reply: see Frames#appendGoodbye
                retired = true;
            }
            io.flush();
        } finally {
            writeLock.unlock();
        }
    }

    /** Writes the timeout's error frame once; the caller holds writeLock. */
    private void sendTimeoutReply() throws IOException {
        if (timeoutReplyClaimed.compareAndSet(false, true)) {
            ByteBuffer frame = ByteBuffer.wrap(UNAVAILABLE_FRAME);
            while (frame.hasRemaining()) {
                channel.write(frame);
            }
        }
    }

    private void trimEncoder() {
        if (encoder.builder().offset() > ENCODER_KEEP) {
            encoder = new Encoder();
        }
    }

    /**
     * Called by the runner's watchdog every poll: gives up on a call that has run longer than
     * {@code limitNanos}.
     */
    @Override
    public void checkDeadline(long now, long limitNanos) {
        if (!busy) {
            long started = frameStart;
            if (started != 0 && now - started > limitNanos && !forced) {
                // Between calls, a frame began and never completed: the peer stalled mid-frame.
                forced = true;
                count(Metrics.FRAME_STALLED);
                Timeouts.stalledFrame(server.logs(), now - started, limitNanos);
                close();
            }
            return;
        }
        long seq = callSeq;
        long elapsed = now - callStart;
        if (elapsed <= limitNanos) {
            return;
        }
        if (call.timedOut) {
            if (!forced && now - timedOutAt > GRACE_NANOS) {
                // The error reply could not be written, or the plugin ignores interrupts: free the socket.
                forced = true;
                close();
                Thread t = thread;
                if (t != null && t.isAlive() && busy) {
                    Timeouts.ignoresInterrupts(call, t, now - timedOutAt);
                }
            }
            return;
        }
        if (!writeLock.tryLock()) {
            // The connection is writing (a client that does not read its replies): past the grace, close it.
            if (elapsed - limitNanos > GRACE_NANOS) {
                call.timedOut = true;
                timedOutAt = now;
                forced = true;
                timedOutMetric();
                Timeouts.stuckWriting(call, elapsed, limitNanos);
                close();
            }
            return;
        }
        try {
            if (!busy || seq != callSeq) {
                return;
            }
            call.timedOut = true;
            timedOutAt = now;
        } finally {
            writeLock.unlock();
        }
        Thread t = thread;
        timedOutMetric();
        Timeouts.timedOut(call, elapsed, limitNanos, t);
        Thread abort = new Thread(this::abortCall, "a6-timeout-" + (t == null ? "?" : t.getName()));
        abort.setDaemon(true);
        abort.start();
    }

    /** Answers the timed-out call with SERVICE_UNAVAILABLE, interrupts the plugin and closes. */
    private void abortCall() {
        try {
            if (writeLock.tryLock(250, TimeUnit.MILLISECONDS)) {
                try {
                    sendTimeoutReply();
                } finally {
                    writeLock.unlock();
                }
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "{0}: could not send the timeout reply: {1}", call.name(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Thread t = thread;
        if (t != null && busy) {
            t.interrupt();
        }
        close();
    }

    /** The call timed out: its reply must not be written. */
    private static final class TimedOut extends IOException {
        private static final long serialVersionUID = 1L;

        TimedOut() {
            super("call timed out", null);
        }
    }

    private void handle() throws IOException {
        handler.handle(io.type(), io.payload(callReader), this, call);
    }

    @Override
    Metrics metrics() {
        return server.metrics();
    }

    private void count(int frameError) {
        Metrics m = server.metrics();
        if (m != null) {
            m.frameError(frameError);
        }
    }

    private void timedOutMetric() {
        Metrics m = server.metrics();
        if (m != null) {
            m.callTimedOut();
        }
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
        io.append(type, encoder.builder());
    }

    @Override
    public void discardOutput() {
        io.discardOutput();
    }

    // ExtraInfo over the wire: questions leave in one write, answers come back in order.

    @Override
    byte[][] answers(int n) throws IOException {
        flush(false);
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            out[i] = answer();
        }
        return out;
    }

    private byte[] answer() throws IOException {
        if (!io.readFrame()) {
            throw new FrameException("APISIX closed the connection while the runner waited for an ExtraInfo answer");
        }
        frameStart = 0;
        if (io.type() != Rpc.EXTRA_INFO) {
            throw new FrameException("expected an ExtraInfo answer, got " + Rpc.typeName(io.type()));
        }
        try {
            FlatReader r = io.payload(infoReader);
            return r.bytes(r.root(), 0);
        } catch (DecodeException e) {
            throw new FrameException("undecodable ExtraInfo answer: " + e.getMessage());
        }
    }
}
