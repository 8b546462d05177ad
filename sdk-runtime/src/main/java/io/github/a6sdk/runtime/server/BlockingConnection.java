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
final class BlockingConnection extends WireExtraInfo implements Runnable, ServerConnection, CallWatch.Owner {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");
    /** A reply builder that grew past this (a big body) is dropped after the call, not kept per connection. */
    private static final int ENCODER_KEEP = 1 << 20;
    private static final byte[] UNAVAILABLE_FRAME = Frames.errorFrame(Rpc.ERR_SERVICE_UNAVAILABLE);

    private final Server server;
    private final CallHandler handler;
    private final ByteChannel channel;
    private final FrameChannel io;
    private Encoder encoder = new Encoder();
    private final FlatReader callReader = new FlatReader();
    private final FlatReader infoReader = new FlatReader();
    private final CallWatch watch = new CallWatch(this);
    /** Every write of a call happens under it; see {@link CallWatch}. */
    private final ReentrantLock writeLock = watch.writeLock;
    /** What the connection is doing; {@code call.timedOut} is set under writeLock once the watchdog gave up. */
    private final CallState call = watch.call;
    private volatile Thread thread;
    private volatile boolean busy;
    /** When the connection was accepted or last answered a call. */
    private volatile long lastActive = System.nanoTime();
    /** Claimed by whoever writes the SERVICE_UNAVAILABLE of a timed-out call: exactly one error frame. */
    private final java.util.concurrent.atomic.AtomicBoolean timeoutReplyClaimed = new java.util.concurrent.atomic.AtomicBoolean();

    BlockingConnection(Server server, ByteChannel channel) {
        this(server, channel, false);
    }

    /** @param dedicated a busy connection moved off an event loop (counted against the cap of such threads) */
    BlockingConnection(Server server, ByteChannel channel, boolean dedicated) {
        this.server = server;
        this.handler = server.handler();
        this.channel = channel;
        this.io = new FrameChannel(new Metered());
        this.dedicated = dedicated;
    }

    /** A busy connection moved off an event loop (the JDK transport), rather than the jnr transport's thread per connection. */
    final boolean dedicated;

    /** The socket, noting when a frame starts to arrive, so that a peer that stalls mid-frame is noticed. */
    private final class Metered implements ByteChannel {
        @Override
        public int read(ByteBuffer dst) throws IOException {
            int n = channel.read(dst);
            if (n > 0) {
                watch.frameBegins();
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
        return watch.frameStart != 0 ? System.nanoTime() : lastActive;
    }

    /** The thread serving this connection, once it started. */
    Thread thread() {
        return thread;
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        boolean handedBack = false;
        try {
            while (io.readFrame()) {
                if (!beginCall()) {
                    io.endCall(); // a retired connection: the client has the goodbye as its answer
                    continue;
                }
                int type = io.type();
                long callStart = watch.begin(type);
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
                if (call.timedOut || watch.retired) { // retired: the reply carried the goodbye
                    break;
                }
                if (dedicated && server.tooManyActiveForDedicated() && !io.hasUnread() && handBack()) {
                    handedBack = true; // many connections are busy now: the event loops serve them better
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
            if (!handedBack) {
                close();
                server.closed(this);
            }
            if (call.timedOut) {
                // Clear an interrupt the watchdog sent after the plugin had already returned.
                Thread.interrupted();
            }
        }
    }

    /**
     * Between calls, gives this dedicated connection back to an event loop (non-blocking again, watched
     * by the loop's selector); returns whether it did. Under writeLock, so that no goodbye or timeout
     * reply is written meanwhile.
     */
    private boolean handBack() {
        writeLock.lock();
        try {
            if (watch.retired || !channel.isOpen()) {
                return false;
            }
            ((SocketChannel) channel).configureBlocking(false);
            server.undedicate(this, (SocketChannel) channel);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        } finally {
            writeLock.unlock();
        }
    }

    /** A frame has arrived: the call begins, unless the goodbye went out first (then it is dropped). */
    private boolean beginCall() {
        writeLock.lock();
        try {
            watch.frameStart = 0;
            if (watch.retired) {
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
            if (busy || watch.retired || watch.frameStart != 0 || !channel.isOpen()) {
                return;
            }
            if (!watch.sayGoodbye(channel)) {
                close();
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
                watch.retired = true;
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

    @Override
    public void checkDeadline(long now, long limitNanos) {
        watch.check(now, limitNanos);
    }

    @Override
    public boolean inCall() {
        return busy;
    }

    @Override
    public Thread callThread() {
        return thread;
    }

    @Override
    public RepeatedLog.Kinds logs() {
        return server.logs();
    }

    /** The reply may block on this blocking socket: a helper thread writes it, so the watchdog never waits. */
    @Override
    public void abandon(long elapsedNanos, long limitNanos) {
        Thread t = thread;
        Timeouts.timedOut(call, elapsedNanos, limitNanos, t);
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
    public Metrics metrics() {
        return server.metrics();
    }

    private void count(int frameError) {
        Metrics m = server.metrics();
        if (m != null) {
            m.frameError(frameError);
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
        watch.frameStart = 0;
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
