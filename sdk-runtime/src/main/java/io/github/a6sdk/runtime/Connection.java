package io.github.a6sdk.runtime;

import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.runtime.call.ExtraInfo;
import io.github.a6sdk.runtime.call.RequestView;
import io.github.a6sdk.runtime.call.StopResponse;
import io.github.a6sdk.runtime.call.UpstreamView;
import io.github.a6sdk.runtime.metrics.Metrics;
import io.github.a6sdk.runtime.protocol.DecodeException;
import io.github.a6sdk.runtime.protocol.Encoder;
import io.github.a6sdk.runtime.protocol.ExtraInfoFailedException;
import io.github.a6sdk.runtime.protocol.FlatReader;
import io.github.a6sdk.runtime.protocol.FrameChannel;
import io.github.a6sdk.runtime.protocol.FrameException;
import io.github.a6sdk.runtime.protocol.FrameTooLargeException;
import io.github.a6sdk.runtime.protocol.Rpc;
import io.github.a6sdk.runtime.protocol.WirePrepareConf;
import io.github.a6sdk.runtime.protocol.WireRequest;
import io.github.a6sdk.runtime.protocol.WireResponse;
import com.google.flatbuffers.FlatBufferBuilder;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serves one APISIX connection: one exchange at a time, as APISIX never pipelines. Blocking I/O on
 * its own thread, so a plugin that blocks holds only this connection.
 *
 * <p>Every write of a call happens under {@link #writeLock} and only while the call has not timed
 * out. The runner's watchdog ({@link #checkDeadline}) gives up on a call that runs past
 * {@code A6_CALL_TIMEOUT_MS}: it marks the call timed out under the same lock (so no reply of the
 * plugin can follow), answers SERVICE_UNAVAILABLE from a helper thread, interrupts the plugin's
 * thread and closes the connection, which ends its thread once the plugin returns.
 */
final class Connection implements Runnable, ExtraInfo {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");
    /** A reply builder that grew past this (a big body) is dropped after the call, not kept per connection. */
    private static final int ENCODER_KEEP = 1 << 20;
    /** After giving up on a call, how long a stuck write or plugin may hold the socket before it is closed hard. */
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final byte[] UNAVAILABLE_FRAME = errorFrame(Rpc.ERR_SERVICE_UNAVAILABLE);

    private final Runner runner;
    private final Metrics metrics;
    private final ByteChannel channel;
    private final FrameChannel io;
    private Encoder encoder = new Encoder();
    private final FlatReader callReader = new FlatReader();
    private final FlatReader infoReader = new FlatReader();
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile Thread thread;
    private volatile boolean busy;
    private volatile long callSeq;
    private volatile long callStart;
    /** What the connection is doing, for log lines; the text is built only when a line is logged. */
    private volatile String callKind = "call";
    private volatile long callId = -1;
    private volatile Chain callChain;
    /** Set (under writeLock) once the watchdog gave up on the current call: nothing more is written. */
    private volatile boolean timedOut;
    private volatile long timedOutAt;
    private volatile boolean forced;
    /** Claimed by whoever writes the SERVICE_UNAVAILABLE of a timed-out call: exactly one error frame. */
    private final java.util.concurrent.atomic.AtomicBoolean timeoutReplyClaimed = new java.util.concurrent.atomic.AtomicBoolean();

    Connection(Runner runner, ByteChannel channel) {
        this.runner = runner;
        this.metrics = runner.metrics();
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

    boolean isBusy() {
        return busy;
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
                frameStart = 0;
                callStart = System.nanoTime();
                callSeq++;
                callKind = Rpc.typeName(io.type());
                callId = -1;
                callChain = null;
                busy = true;
                int type = io.type();
                try {
                    handle();
                    flush();
                } finally {
                    io.endCall();
                    busy = false;
                    trimEncoder();
                    if (metrics != null) metrics.callEnded(type, callStart);
                }
                if (timedOut || runner.isStopping()) {
                    break;
                }
            }
        } catch (TimedOut e) {
            LOG.log(Level.DEBUG, "{0}: reply dropped, the call had timed out", callName());
        } catch (FrameException e) {
            if (metrics != null) metrics.frameError(Metrics.FRAME_PROTOCOL);
            if (!timedOut) {
                LOG.log(Level.WARNING, "closing connection: {0}", e.getMessage());
            }
        } catch (ExtraInfoFailedException e) {
            if (!timedOut) {
                LOG.log(Level.WARNING, "closing connection: {0} during {1}", e.getMessage(), callName());
            }
        } catch (IOException e) {
            if (!runner.isStopping() && !timedOut) {
                LOG.log(Level.DEBUG, "connection ended: {0}", e.toString());
            }
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "closing connection after an unexpected failure in " + callName(), e);
        } finally {
            close();
            runner.closed(this);
            if (timedOut) {
                // Clear an interrupt the watchdog sent after the plugin had already returned.
                Thread.interrupted();
            }
        }
    }

    void close() {
        try {
            io.close();
        } catch (IOException ignored) {
            // nothing left to do with a connection that failed to close
        }
    }

    /**
     * Stops reading new calls (shutdown): an idle connection sees end-of-stream and ends, a call
     * in flight still writes its reply. Falls back to closing when the channel cannot half-close.
     */
    void stopReading() {
        if (channel instanceof SocketChannel) {
            try {
                ((SocketChannel) channel).shutdownInput();
                return;
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // fall through to a full close
            }
        }
        close();
    }

    /**
     * Writes the reply of the call, unless the watchdog gave up on the call: then the timeout's
     * SERVICE_UNAVAILABLE goes out instead (if the watchdog's helper has not sent it yet).
     */
    private void flush() throws IOException {
        writeLock.lock();
        try {
            if (timedOut) {
                io.discardOutput();
                sendTimeoutReply();
                throw new TimedOut();
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
    void checkDeadline(long now, long limitNanos) {
        if (!busy) {
            long started = frameStart;
            if (started != 0 && now - started > limitNanos && !forced) {
                // Between calls, a frame began and never completed: the peer stalled mid-frame.
                forced = true;
                if (metrics != null) metrics.frameError(Metrics.FRAME_STALLED);
                LOG.log(Level.WARNING, "closing connection: the peer sent part of a frame and nothing more for {0} ms"
                        + " (A6_CALL_TIMEOUT_MS={1})", String.valueOf(TimeUnit.NANOSECONDS.toMillis(now - started)),
                        String.valueOf(TimeUnit.NANOSECONDS.toMillis(limitNanos)));
                close();
            }
            return;
        }
        long seq = callSeq;
        long elapsed = now - callStart;
        if (elapsed <= limitNanos) {
            return;
        }
        if (timedOut) {
            if (!forced && now - timedOutAt > GRACE_NANOS) {
                // The error reply could not be written, or the plugin ignores interrupts: free the socket.
                forced = true;
                close();
                Thread t = thread;
                if (t != null && t.isAlive() && busy) {
                    LOG.log(Level.WARNING, "{0}: the plugin thread {1} is still running {2} ms after it was interrupted;"
                            + " it ignores interrupts, and holds a thread until it returns. It is at: {3}",
                            callName(), t.getName(), String.valueOf(TimeUnit.NANOSECONDS.toMillis(now - timedOutAt)), where(t));
                }
            }
            return;
        }
        if (!writeLock.tryLock()) {
            // The connection is writing (a client that does not read its replies): past the grace, close it.
            if (elapsed - limitNanos > GRACE_NANOS) {
                timedOut = true;
                timedOutAt = now;
                forced = true;
                if (metrics != null) metrics.callTimedOut();
                LOG.log(Level.ERROR, "{0}: stuck writing to APISIX for {1} ms (A6_CALL_TIMEOUT_MS={2});"
                        + " closing the connection", callName(), String.valueOf(TimeUnit.NANOSECONDS.toMillis(elapsed)),
                        String.valueOf(TimeUnit.NANOSECONDS.toMillis(limitNanos)));
                close();
            }
            return;
        }
        try {
            if (!busy || seq != callSeq) {
                return;
            }
            timedOut = true;
            timedOutAt = now;
        } finally {
            writeLock.unlock();
        }
        if (metrics != null) metrics.callTimedOut();
        Thread t = thread;
        Chain chain = callChain;
        LOG.log(Level.ERROR, "{0} (plugins {1}) timed out after {2} ms (A6_CALL_TIMEOUT_MS={3}): answering"
                + " SERVICE_UNAVAILABLE, interrupting thread {4} and closing the connection. The plugin is at: {5}",
                callName(), chain == null ? "[]" : chain.names(), String.valueOf(TimeUnit.NANOSECONDS.toMillis(elapsed)),
                String.valueOf(TimeUnit.NANOSECONDS.toMillis(limitNanos)), t == null ? "?" : t.getName(), t == null ? "?" : where(t));
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
            LOG.log(Level.DEBUG, "{0}: could not send the timeout reply: {1}", callName(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Thread t = thread;
        if (t != null && busy) {
            t.interrupt();
        }
        close();
    }

    private static String where(Thread t) {
        StackTraceElement[] stack = t.getStackTrace();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(stack.length, 6); i++) {
            sb.append(i == 0 ? "" : " < ").append(stack[i]);
        }
        return sb.length() == 0 ? "(no stack)" : sb.toString();
    }

    private static byte[] errorFrame(int code) {
        Encoder e = new Encoder();
        e.error(code);
        ByteBuffer data = e.builder().dataBuffer();
        int len = data.remaining();
        byte[] frame = new byte[Rpc.HEADER_SIZE + len];
        frame[0] = (byte) Rpc.ERROR;
        frame[1] = (byte) (len >>> 16);
        frame[2] = (byte) (len >>> 8);
        frame[3] = (byte) len;
        data.get(frame, Rpc.HEADER_SIZE, len);
        return frame;
    }

    /** The call timed out: its reply must not be written. */
    private static final class TimedOut extends IOException {
        private static final long serialVersionUID = 1L;

        TimedOut() {
            super("call timed out", null);
        }
    }

    private void handle() throws IOException {
        int type = io.type();
        try {
            switch (type) {
                case Rpc.PREPARE_CONF:
                    prepareConf();
                    break;
                case Rpc.HTTP_REQ_CALL:
                    requestCall();
                    break;
                case Rpc.HTTP_RESP_CALL:
                    responseCall();
                    break;
                default:
                    if (metrics != null) metrics.frameError(Metrics.FRAME_UNEXPECTED_TYPE);
                    LOG.log(Level.WARNING, "unexpected {0} frame ({1} bytes) outside a call: answering BAD_REQUEST",
                            Rpc.typeName(type), io.payloadLength());
                    error(Rpc.ERR_BAD_REQUEST);
            }
        } catch (DecodeException e) {
            if (metrics != null) metrics.frameError(Metrics.FRAME_UNDECODABLE);
            LOG.log(Level.WARNING, "undecodable {0} frame ({1} bytes): {2}; answering BAD_REQUEST",
                    Rpc.typeName(type), io.payloadLength(), e.getMessage());
            io.discardOutput();
            error(Rpc.ERR_BAD_REQUEST);
        } catch (ExtraInfoFailedException e) {
            throw e;
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            // Building the reply failed (or a plugin ran out of memory): fail this call, keep the connection.
            encoder = new Encoder();
            io.discardOutput();
            if (timedOut) {
                return;
            }
            LOG.log(Level.ERROR, callName() + " (plugins " + (callChain == null ? "[]" : callChain.names())
                    + ") failed: " + e + "; answering SERVICE_UNAVAILABLE", e);
            error(Rpc.ERR_SERVICE_UNAVAILABLE);
        }
    }

    private String callName() {
        long id = callId;
        return id < 0 ? callKind : callKind + " " + id;
    }

    /** A body too large for a frame: answered with an error, never a corrupted frame. */
    private boolean tooLarge(String what, byte[] body) {
        if (body == null || body.length <= Rpc.MAX_PAYLOAD - 64) {
            return false;
        }
        LOG.log(Level.ERROR, "{0} (plugins {1}): {2} of {3} bytes does not fit a frame of at most {4} bytes;"
                + " answering SERVICE_UNAVAILABLE", callName(), callChain == null ? "[]" : callChain.names(), what,
                String.valueOf(body.length), String.valueOf(Rpc.MAX_PAYLOAD));
        io.discardOutput();
        error(Rpc.ERR_SERVICE_UNAVAILABLE);
        return true;
    }

    private void prepareConf() {
        FlatReader r = io.payload(callReader);
        List<Chain.Entry> entries = WirePrepareConf.entries(r);
        Chain chain;
        try {
            chain = Chain.prepare(metrics == null ? runner.catalog() : metrics.catalogFor(WirePrepareConf.key(r)), entries);
        } catch (ConfigException e) {
            if (metrics != null) metrics.prepareRejected(runner.catalog(), entries);
            LOG.log(Level.ERROR, "PrepareConf (key {0}) rejected: {1}; APISIX answers this route with 503",
                    WirePrepareConf.key(r), e.getMessage());
            error(Rpc.ERR_BAD_REQUEST);
            return;
        }
        long token = runner.cache().put(chain);
        if (metrics != null) metrics.prepared();
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "PrepareConf (key {0}) -> token {1}: {2}", WirePrepareConf.key(r), token, chain.names());
        }
        encoder.prepareConf(token);
        send(Rpc.PREPARE_CONF);
    }

    private void requestCall() {
        WireRequest req = new WireRequest(io.payload(callReader));
        long token = req.confToken();
        long id = req.id();
        Chain chain = runner.cache().get(token);
        if (chain == null) {
            if (metrics != null) metrics.tokenMiss();
            LOG.log(Level.INFO, "HTTPReqCall {0}: conf token {1} not found (expired or evicted); APISIX will prepare it again",
                    id, token);
            error(Rpc.ERR_CONF_TOKEN_NOT_FOUND);
            return;
        }
        callKind = "HTTPReqCall";
        callId = id;
        callChain = chain;
        RequestView request = new RequestView(req, this);
        StopResponse response = new StopResponse();
        try {
            chain.runRequest(request, response);
        } catch (PluginFailure f) {
            failed("HTTPReqCall", id, f);
            return;
        }
        if (response.isStopped()) {
            if (tooLarge("the Stop body", response.body())) {
                return;
            }
            encoder.stop(id, response);
        } else if (request.isRewritten()) {
            if (tooLarge("the rewritten request body", request.rewrittenBody())) {
                return;
            }
            encoder.rewrite(id, request);
        } else {
            encoder.pass(id);
        }
        send(Rpc.HTTP_REQ_CALL);
    }

    private void responseCall() {
        WireResponse resp = new WireResponse(io.payload(callReader));
        long token = resp.confToken();
        long id = resp.id();
        Chain chain = runner.cache().get(token);
        if (chain == null) {
            if (metrics != null) metrics.tokenMiss();
            LOG.log(Level.INFO, "HTTPRespCall {0}: conf token {1} not found (expired or evicted); APISIX will prepare it again",
                    id, token);
            error(Rpc.ERR_CONF_TOKEN_NOT_FOUND);
            return;
        }
        callKind = "HTTPRespCall";
        callId = id;
        callChain = chain;
        UpstreamView response = new UpstreamView(resp, this);
        try {
            chain.runResponse(response);
        } catch (PluginFailure f) {
            failed("HTTPRespCall", id, f);
            return;
        }
        if (tooLarge("the response body", response.changedBody())) {
            return;
        }
        encoder.respCall(id, response);
        send(Rpc.HTTP_RESP_CALL);
    }

    private void failed(String call, long id, PluginFailure f) {
        if (timedOut) {
            io.discardOutput();
            return;
        }
        LOG.log(Level.ERROR, call + " " + id + ": " + f.getMessage() + "; answering SERVICE_UNAVAILABLE", f.getCause());
        io.discardOutput();
        error(Rpc.ERR_SERVICE_UNAVAILABLE);
    }

    private void send(int type) {
        try {
            io.append(type, encoder.builder());
        } catch (FrameTooLargeException e) {
            LOG.log(Level.ERROR, "{0} reply not sent: {1}; answering SERVICE_UNAVAILABLE", Rpc.typeName(type), e.getMessage());
            io.discardOutput();
            error(Rpc.ERR_SERVICE_UNAVAILABLE);
        }
    }

    private void error(int code) {
        encoder.error(code);
        try {
            io.append(Rpc.ERROR, encoder.builder());
        } catch (FrameTooLargeException e) {
            throw new IllegalStateException(e);
        }
    }

    // ExtraInfo over the wire: questions leave in one write, answers come back in order.

    @Override
    public byte[] var(String name) throws IOException {
        if (metrics != null) metrics.extraInfo(Metrics.EXTRA_VAR);
        encoder.extraInfoVar(name);
        ask();
        flushQuestions();
        return answer();
    }

    @Override
    public byte[] requestBody() throws IOException {
        if (metrics != null) metrics.extraInfo(Metrics.EXTRA_REQ_BODY);
        encoder.extraInfoBody(false);
        ask();
        flushQuestions();
        return answer();
    }

    @Override
    public byte[] responseBody() throws IOException {
        if (metrics != null) metrics.extraInfo(Metrics.EXTRA_RESP_BODY);
        encoder.extraInfoBody(true);
        ask();
        flushQuestions();
        return answer();
    }

    @Override
    public byte[][] fetch(List<String> vars, boolean requestBody, boolean responseBody) throws IOException {
        int n = vars.size() + (requestBody ? 1 : 0) + (responseBody ? 1 : 0);
        if (metrics != null) metrics.extraInfo(vars.size(), requestBody, responseBody);
        for (String v : vars) {
            encoder.extraInfoVar(v);
            ask();
        }
        if (requestBody) {
            encoder.extraInfoBody(false);
            ask();
        }
        if (responseBody) {
            encoder.extraInfoBody(true);
            ask();
        }
        flushQuestions();
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            out[i] = answer();
        }
        return out;
    }

    /** Sends the ExtraInfo questions appended so far, unless the call timed out. */
    private void flushQuestions() throws IOException {
        flush();
    }

    private void ask() throws IOException {
        try {
            io.append(Rpc.EXTRA_INFO, encoder.builder());
        } catch (FrameTooLargeException e) {
            throw new IOException(e.getMessage(), e);
        }
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
