package io.github.a6sdk.runtime.server;

import io.github.a6sdk.runtime.metrics.Metrics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The watchdog's side of one connection, the same for both kinds ({@link LoopConnection} and
 * {@link BlockingConnection}): when a call or frame began, giving up on a call past
 * {@code A6_CALL_TIMEOUT_MS}, the grace after which a socket still held is closed hard, a reply
 * stuck in a socket the client does not read, and the goodbye that retires an idle connection.
 *
 * <p>A call is given up under the connection's write lock: once {@link CallState#timedOut} is set
 * there, no reply of the plugin can follow, and the connection ({@link Owner#abandon}) answers
 * SERVICE_UNAVAILABLE in its own way.
 */
final class CallWatch {
    /** After giving up on a call, how long a stuck plugin or write may hold the socket before it is closed hard. */
    static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** What the watch needs of its connection. */
    interface Owner {
        /** Whether a call is in flight (read, and its reply not yet handed to the socket). */
        boolean inCall();

        /** The thread running the call's plugins, if any. */
        Thread callThread();

        /**
         * The call was given up (its {@code timedOut} is set; the caller no longer holds the write
         * lock): answer SERVICE_UNAVAILABLE, interrupt the plugin's thread and close.
         */
        void abandon(long elapsedNanos, long limitNanos);

        void close();

        Metrics metrics();

        RepeatedLog.Kinds logs();
    }

    private final Owner owner;
    final CallState call = new CallState();
    final ReentrantLock writeLock = new ReentrantLock();

    /** When the first bytes of a frame not yet complete arrived (0: none pending). */
    volatile long frameStart;
    /** When the call in flight began, and its number on this connection. */
    private volatile long callStart;
    private volatile long callSeq;
    /** Since when a reply has waited for a socket that takes no more bytes (0: none waits). */
    private volatile long writeStart;
    private volatile long timedOutAt;
    /** Closed hard by the watchdog: nothing more is reported about it. */
    private volatile boolean forced;
    /**
     * The goodbye was written, behind a reply (the connection then closes) or on its own to an idle
     * connection (what arrives from then on is discarded until the client closes).
     */
    volatile boolean retired;

    CallWatch(Owner owner) {
        this.owner = owner;
    }

    /** A call's frame has arrived; returns its start time. */
    long begin(int type) {
        call.begin(type);
        callSeq++;
        long now = System.nanoTime();
        callStart = now;
        frameStart = 0;
        return now;
    }

    long callStart() {
        return callStart;
    }

    /** Part of a frame arrived with nothing waiting yet: a stall is timed from now. */
    void frameBegins() {
        if (frameStart == 0) {
            frameStart = System.nanoTime();
        }
    }

    /** A reply could not be written at once: the rest waits for the socket. */
    void writeWaits() {
        if (writeStart == 0) {
            writeStart = System.nanoTime();
        }
    }

    void writeDone() {
        writeStart = 0;
    }

    /** Gives up on a call, a frame or a write that has taken longer than {@code limitNanos} (watchdog thread). */
    void check(long now, long limitNanos) {
        if (!owner.inCall()) {
            long started = frameStart;
            if (started != 0 && now - started > limitNanos && !forced) {
                forced = true;
                count(Metrics.FRAME_STALLED);
                Timeouts.stalledFrame(owner.logs(), now - started, limitNanos);
                owner.close();
            }
            long writing = writeStart;
            if (writing != 0 && now - writing > limitNanos && !forced) {
                forced = true;
                timedOutMetric();
                Timeouts.stuckWriting(call, now - writing, limitNanos);
                owner.close();
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
                owner.close();
                Thread t = owner.callThread();
                if (t != null && t.isAlive() && owner.inCall()) {
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
                owner.close();
            }
            return;
        }
        try {
            if (!owner.inCall() || seq != callSeq) {
                return;
            }
            call.timedOut = true;
            timedOutAt = now;
        } finally {
            writeLock.unlock();
        }
        timedOutMetric();
        owner.abandon(elapsed, limitNanos);
    }

    /**
     * Writes the goodbye to an idle connection and shuts its output (the caller makes sure nothing
     * is arriving or in flight); returns false if the socket did not take it, and the connection
     * must be closed. See {@link ServerConnection#sayGoodbye()}.
     */
    boolean sayGoodbye(java.nio.channels.ByteChannel channel) throws IOException {
        ByteBuffer bye = ByteBuffer.wrap(Frames.GOODBYE);
        channel.write(bye);
        if (bye.hasRemaining()) {
            return false; // an idle socket takes a dozen bytes; this one is broken
        }
        retired = true;
        if (channel instanceof SocketChannel) {
            ((SocketChannel) channel).shutdownOutput();
        }
        return true;
    }

    private void count(int frameError) {
        Metrics m = owner.metrics();
        if (m != null) {
            m.frameError(frameError);
        }
    }

    private void timedOutMetric() {
        Metrics m = owner.metrics();
        if (m != null) {
            m.callTimedOut();
        }
    }
}
