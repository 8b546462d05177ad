package io.github.a6sdk.runtime.server;

import io.github.a6sdk.runtime.Chain;
import io.github.a6sdk.runtime.protocol.DecodeException;
import io.github.a6sdk.runtime.protocol.Encoder;
import io.github.a6sdk.runtime.protocol.ExtraInfoFailedException;
import io.github.a6sdk.runtime.protocol.FlatReader;
import io.github.a6sdk.runtime.protocol.FrameException;
import io.github.a6sdk.runtime.protocol.FrameTooLargeException;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One APISIX connection served by an event loop. The loop reads its frames; a call runs on the loop
 * itself when every plugin of its chain is declared non-blocking, and on a worker thread otherwise.
 * A prefetch round (declared vars and bodies) is asked and collected by the loop before the chain
 * runs, so no thread waits for it. While a worker has the call, the loop does not read the socket.
 *
 * <p>Every write of a call happens under {@link #writeLock} and only while the call has not timed
 * out; the watchdog ({@link #checkDeadline}) marks a call timed out under the same lock, answers
 * SERVICE_UNAVAILABLE, interrupts the thread still on that call and closes the connection. The
 * thread that ran a call clears its own interrupt status once the call is over, under the lock, so
 * an interrupt meant for a timed-out call never reaches a later one.
 */
final class LoopConnection implements ServerConnection, CallWatch.Owner {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");
    private static final int IDLE = 0;
    private static final int PREFETCH = 1;
    private static final int INLINE = 2;
    private static final int WORKER = 3;
    /** Moved to a thread of its own: the loop has no more part in it. */
    private static final int DEDICATED = 4;
    /** A connection that carries this many calls within {@link #BUSY_WINDOW_NANOS} gets a thread of its own. */
    static final int BUSY_CALLS = 8;
    static final long BUSY_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** A non-blocking chain that holds its event loop longer than this is reported. */
    static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final SocketChannel channel;
    private final EventLoop loop;
    private final Server server;
    private final FrameInput input;
    private final CallWatch watch = new CallWatch(this);
    private final CallState call = watch.call;
    private final FlatReader callReader = new FlatReader();
    /** Every write of a call happens under it; see {@link CallWatch}. */
    private final ReentrantLock writeLock = watch.writeLock;
    private final AtomicBoolean closed = new AtomicBoolean();
    private SelectionKey key;

    private volatile int state = IDLE;
    private volatile long lastActive = System.nanoTime();
    /** The thread running the call's plugins, while it runs them. */
    private volatile Thread callThread;
    private volatile boolean stallReported;
    /** Reply bytes the socket did not take yet (loop thread only); volatile for isBusy. */
    private volatile ByteBuffer pendingOut;
    private boolean closeAfterWrite;
    /** Calls finished since {@link #windowStart} (loop thread): how busy the connection is. */
    private int windowCalls;
    private long windowStart;

    // The call being served: its type and the chain its token named when it arrived (written by the loop
    // before the call runs, here or on a worker); the prefetch round's answers.
    private int callType;
    private Chain callChain;
    private byte[][] answers;
    private int answered;

    LoopConnection(SocketChannel channel, EventLoop loop, Server server) {
        this.channel = channel;
        this.loop = loop;
        this.server = server;
        this.input = new FrameInput(loop.buffers());
    }

    void register(SelectionKey k) {
        this.key = k;
    }

    SelectionKey key() {
        return key;
    }

    /** The chain of the call in flight (null between calls). */
    io.github.a6sdk.runtime.Chain runningChain() {
        return call.chain != null ? call.chain : callChain;
    }

    /**
     * The monitor took the loop over while this connection's call ran on the loop's thread (any
     * thread): the new serving thread must not watch it until the call is over, or an ExtraInfo
     * answer meant for that call would wake it again and again.
     */
    void caughtBlocking() {
        try {
            key.interestOps(0);
        } catch (java.nio.channels.CancelledKeyException e) {
            // closed meanwhile
        }
    }

    SocketChannel channel() {
        return channel;
    }

    FrameInput input() {
        return input;
    }

    void frameArrived() {
        watch.frameStart = 0;
    }

    @Override
    public boolean isBusy() {
        return state != IDLE || pendingOut != null;
    }

    @Override
    public long quietSince() {
        return watch.frameStart != 0 ? System.nanoTime() : lastActive;
    }

    // ---- the loop's side ----

    /** The socket has bytes (loop thread). */
    void onReadable() {
        if (state == WORKER || closed.get()) {
            return;
        }
        if (watch.retired) {
            discard();
            return;
        }
        try {
            if (!input.next(channel)) {
                if (input.hasPartialFrame()) {
                    watch.frameBegins();
                }
                return;
            }
            watch.frameStart = 0;
            onFrame();
            processBuffered();
        } catch (EOFException e) {
            close();
        } catch (FrameException e) {
            if (!call.timedOut) {
                metricsFrameError(io.github.a6sdk.runtime.metrics.Metrics.FRAME_PROTOCOL);
                server.logs().badFrames.log(Level.WARNING, "closing connection: {0}", e.getMessage());
            }
            close();
        } catch (IOException e) {
            if (!call.timedOut && !server.isClosingConnections()) {
                LOG.log(Level.DEBUG, "connection ended: {0}", e.toString());
            }
            close();
        }
    }

    /** Serves frames that are already read (a client that sent more than one frame at once). */
    private void processBuffered() throws IOException {
        while (!closed.get() && (state == IDLE || state == PREFETCH) && pendingOut == null && input.frameReady()) {
            onFrame();
        }
        if (state == IDLE && !closed.get()) {
            input.release();
            if (windowCalls >= BUSY_CALLS && !watch.retired && pendingOut == null && !input.hasPartialFrame()
                    && server.reserveDedicated()) {
                // Busy: its calls from now on run on a thread of its own, with blocking reads and writes (one system
                // call each way, as thread-per-connection serving has), and no other connection waits on them.
                state = DEDICATED;
                key.cancel();
                loop.dedicateAfterSelect(this);
            }
        }
    }

    /**
     * The loop's selector has let go of this connection (its key, cancelled, is deregistered at the select
     * after {@link #processBuffered}): the channel goes back to blocking mode and to a thread of its own.
     */
    void dedicate() {
        try {
            channel.configureBlocking(true);
        } catch (IOException | RuntimeException e) {
            server.unreserveDedicated();
            closed.set(true);
            try {
                channel.close();
            } catch (IOException ignored) {
                // gone anyway
            }
            server.closed(this);
            return;
        }
        server.dedicate(this, channel);
    }

    private void onFrame() throws IOException {
        if (state == PREFETCH) {
            prefetchAnswer();
        } else {
            startCall();
        }
    }

    private void startCall() throws IOException {
        int type = input.type();
        callType = type;
        watch.begin(type);
        stallReported = false;
        FlatReader payload = input.payload(callReader);
        Chain chain = type == Rpc.HTTP_REQ_CALL || type == Rpc.HTTP_RESP_CALL ? server.handler().chainOf(type, payload) : null;
        callChain = chain; // looked up once: the handler runs this chain rather than looking it up again
        if (chain != null) {
            boolean responsePhase = type == Rpc.HTTP_RESP_CALL;
            int n = chain.prefetchCount(responsePhase);
            if (n > 0) {
                answers = new byte[n][];
                answered = 0;
                state = PREFETCH;
                askPrefetch(chain, responsePhase);
                return;
            }
            if (server.runsOnWorker(chain)) {
                toWorker(null);
                return;
            }
        }
        runHere(null);
    }

    /** Sends the prefetch questions of the call; their answers come back through {@link #onReadable}. */
    private void askPrefetch(Chain chain, boolean responsePhase) throws IOException {
        Exchange ex = loop.exchange();
        ex.bind(this, null);
        try {
            Encoder e = ex.encoder();
            for (String v : chain.prefetchVars(responsePhase)) {
                e.extraInfoVar(v);
                ex.append(Rpc.EXTRA_INFO);
            }
            if (chain.prefetchRequestBody(responsePhase)) {
                e.extraInfoBody(false);
                ex.append(Rpc.EXTRA_INFO);
            }
            if (chain.prefetchResponseBody(responsePhase)) {
                e.extraInfoBody(true);
                ex.append(Rpc.EXTRA_INFO);
            }
            writeNow(ex.output());
            io.github.a6sdk.runtime.metrics.Metrics m = server.metrics();
            if (m != null) {
                m.extraInfo(chain.prefetchVars(responsePhase).size(), chain.prefetchRequestBody(responsePhase),
                        chain.prefetchResponseBody(responsePhase));
            }
        } catch (FrameTooLargeException e) {
            throw new IllegalStateException(e);
        } finally {
            ex.unbind();
        }
    }

    private void prefetchAnswer() throws IOException {
        if (input.type() != Rpc.EXTRA_INFO) {
            throw new FrameException("expected an ExtraInfo answer, got " + Rpc.typeName(input.type()));
        }
        try {
            FlatReader r = input.payload(loop.infoReader());
            answers[answered++] = r.bytes(r.root(), 0);
        } catch (DecodeException e) {
            throw new FrameException("undecodable ExtraInfo answer: " + e.getMessage());
        }
        if (answered < answers.length) {
            return;
        }
        byte[][] ready = answers;
        Chain chain = callChain;
        answers = null;
        if (server.runsOnWorker(chain)) {
            toWorker(ready);
        } else {
            runHere(ready);
        }
    }

    /**
     * Runs the call on the thread that serves the loop. Should it hold that thread past
     * {@link EventLoop#TAKEOVER_NANOS}, another thread takes the loop over meanwhile, and this one
     * finishes the call as a worker does: its reply is written in full here, and the rest is the
     * loop's.
     */
    private void runHere(byte[][] prefetched) throws IOException {
        state = INLINE;
        Exchange ex = loop.exchange();
        ex.bind(this, prefetched);
        callThread = Thread.currentThread();
        long mark = loop.beginInline(this);
        boolean mine = true;
        boolean ended = false;
        try {
            server.handler().handle(callType, callReader, ex, call, callChain);
            mine = loop.endInline(mark);
            ended = true;
            reply(ex, !mine);
        } catch (ExtraInfoFailedException e) {
            if (!ended) {
                mine = loop.endInline(mark);
                ended = true;
            }
            extraInfoFailed(e);
        } catch (IOException e) {
            if (!ended) {
                mine = loop.endInline(mark);
                ended = true;
            }
            if (mine) {
                throw e;
            }
            close(); // the loop is another thread's now: nothing to throw to
        } finally {
            if (!ended) {
                mine = loop.endInline(mark);
            }
            callOver();
            ex.unbind();
        }
        if (!mine) {
            // The loop is another thread's now: the connection goes back to it once this thread has unwound
            // (until then this thread might still look at it on its way out).
            state = WORKER;
            LoopThread.current().handBack(this);
            return;
        }
        finishCall();
    }

    /** Hands the call to a worker: the loop stops reading this socket until the worker gives it back. */
    private void toWorker(byte[][] prefetched) {
        state = WORKER;
        key.interestOps(0);
        try {
            server.workers().submit(ex -> runOnWorker(ex, prefetched));
        } catch (OutOfMemoryError | RuntimeException e) {
            LOG.log(Level.ERROR, "{0}: no worker thread for a blocking call: {1}; closing the connection", call.name(), e.toString());
            close();
        }
    }

    private void runOnWorker(Exchange ex, byte[][] prefetched) {
        ex.bind(this, prefetched);
        callThread = Thread.currentThread();
        try {
            server.handler().handle(callType, callReader, ex, call, callChain);
            reply(ex, true);
        } catch (ExtraInfoFailedException e) {
            extraInfoFailed(e);
        } catch (IOException e) {
            if (!call.timedOut && !closed.get()) {
                LOG.log(Level.DEBUG, "{0}: reply not written: {1}", call.name(), e.toString());
            }
            close();
        } finally {
            callOver();
            ex.unbind();
            loop.execute(this::backFromWorker);
        }
    }

    void backFromWorker() {
        if (closed.get()) {
            return;
        }
        finishCall();
        if (closed.get()) {
            return;
        }
        try {
            key.interestOps(pendingOut != null ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
            processBuffered();
        } catch (IOException e) {
            close();
        } catch (java.nio.channels.CancelledKeyException e) {
            close();
        }
    }

    private void extraInfoFailed(ExtraInfoFailedException e) {
        if (!call.timedOut && !closed.get()) {
            server.logs().badFrames.log(Level.WARNING, "closing connection: {0} during {1}", e.getMessage(), call.name());
        }
        close();
    }

    /** The call's thread is done with it: clear an interrupt the watchdog may have sent it. */
    private void callOver() {
        writeLock.lock();
        try {
            callThread = null;
        } finally {
            writeLock.unlock();
        }
        Thread.interrupted();
        if (closed.get()) {
            server.closed(this); // closed while the call ran: the watchdog watched it until now
        }
    }

    /** After a call's reply (loop thread): idle again, or closed when the runner is draining. */
    private void metricsFrameError(int reason) {
        io.github.a6sdk.runtime.metrics.Metrics m = server.metrics();
        if (m != null) {
            m.frameError(reason);
        }
    }

    private void finishCall() {
        callChain = null;
        io.github.a6sdk.runtime.metrics.Metrics m = server.metrics();
        if (m != null) {
            m.callEnded(callType, watch.callStart());
        }
        long now = System.nanoTime();
        lastActive = now;
        if (now - windowStart > BUSY_WINDOW_NANOS) {
            windowStart = now;
            windowCalls = 0;
        }
        windowCalls++;
        input.endCall();
        state = IDLE;
        if (closed.get()) {
            return;
        }
        if (watch.retired) {
            // The reply carried the goodbye. (One written just before the runner began to close connections
            // did not: that connection is idle in the client's pool now, and gets the goodbye on its own.)
            if (pendingOut == null) {
                close();
            } else {
                closeAfterWrite = true;
            }
        }
    }

    /** Writes the reply unless the call timed out. On the loop a reply the socket cannot take at once waits for OP_WRITE. */
    private void reply(Exchange ex, boolean mayWait) throws IOException {
        writeLock.lock();
        try {
            if (call.timedOut) {
                return;
            }
            boolean retiring = server.isClosingConnections();
            if (retiring) {
                Frames.appendGoodbye(ex);
                watch.retired = true;
            }
            ByteBuffer out = ex.output();
            if (mayWait) {
                ex.writeFully(channel, out);
            } else {
                writeNow(out);
            }
            if (retiring && pendingOut == null) {
                channel.shutdownOutput();
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** ExtraInfo questions asked by a plugin while its call runs: written in full, waiting if need be. */
    void writeQuestions(Exchange ex) throws IOException {
        writeLock.lock();
        try {
            if (call.timedOut) {
                throw new ClosedChannelException();
            }
            ex.writeFully(channel, ex.output());
        } finally {
            writeLock.unlock();
        }
        ex.discardOutput();
    }

    /** Writes what the socket takes now; the rest waits for OP_WRITE (loop thread). */
    private void writeNow(ByteBuffer out) throws IOException {
        channel.write(out);
        if (out.hasRemaining()) {
            ByteBuffer rest = ByteBuffer.allocate(out.remaining());
            rest.put(out).flip();
            pendingOut = rest;
            watch.writeWaits();
            key.interestOps(SelectionKey.OP_WRITE);
        }
    }

    /** The socket takes bytes again (loop thread). */
    void onWritable() {
        ByteBuffer out = pendingOut;
        if (out == null) {
            return;
        }
        try {
            channel.write(out);
            if (out.hasRemaining()) {
                return;
            }
            pendingOut = null;
            watch.writeDone();
            if (closeAfterWrite) {
                close();
                return;
            }
            key.interestOps(state == WORKER ? 0 : SelectionKey.OP_READ);
            processBuffered();
        } catch (IOException | java.nio.channels.CancelledKeyException e) {
            close();
        }
    }

    // ---- any thread ----

    @Override
    public void sayGoodbye() {
        loop.execute(this::goodbyeOnLoop);
    }

    /** See {@link ServerConnection#sayGoodbye()} (loop thread). */
    private void goodbyeOnLoop() {
        if (closed.get() || watch.retired || state != IDLE || pendingOut != null) {
            return;
        }
        onReadable(); // what has arrived is served first (its reply then carries the goodbye)
        if (closed.get() || state != IDLE || pendingOut != null || input.hasPartialFrame()) {
            return;
        }
        try {
            if (!watch.sayGoodbye(channel)) {
                close();
                return;
            }
            input.release();
        } catch (IOException e) {
            close();
        }
    }

    /** Reads and drops what a retired connection's client sends, until it closes (loop thread). */
    private void discard() {
        ByteBuffer sink = ByteBuffer.allocate(512);
        try {
            int n;
            while ((n = channel.read(sink)) > 0) {
                sink.clear();
            }
            if (n < 0) {
                close();
            }
        } catch (IOException e) {
            close();
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closed anyway
        }
        if (callThread == null) {
            server.closed(this); // else the call's thread does, once its plugin returns
        }
        loop.wakeupIfElsewhere();
    }

    boolean isClosed() {
        return closed.get();
    }

    @Override
    public void checkDeadline(long now, long limitNanos) {
        if (state == INLINE && !stallReported) {
            long elapsed = now - watch.callStart();
            if (elapsed > STALL_NANOS) {
                stallReported = true;
                server.reportStall(call, loop.name(), elapsed);
            }
        }
        watch.check(now, limitNanos);
    }

    @Override
    public boolean inCall() {
        return state != IDLE;
    }

    @Override
    public Thread callThread() {
        return callThread;
    }

    @Override
    public io.github.a6sdk.runtime.metrics.Metrics metrics() {
        return server.metrics();
    }

    @Override
    public RepeatedLog.Kinds logs() {
        return server.logs();
    }

    /** The socket is non-blocking: the error frame goes out at once (or not at all), then the connection closes. */
    @Override
    public void abandon(long elapsedNanos, long limitNanos) {
        try {
            channel.write(ByteBuffer.wrap(Frames.UNAVAILABLE));
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "{0}: could not send the timeout reply: {1}", call.name(), e.toString());
        }
        Thread t = callThread;
        if (t != null) {
            t.interrupt();
        }
        Timeouts.timedOut(call, elapsedNanos, limitNanos, t);
        close();
    }
}
