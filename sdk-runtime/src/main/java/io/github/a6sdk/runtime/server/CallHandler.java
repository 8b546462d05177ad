package io.github.a6sdk.runtime.server;

import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.runtime.Chain;
import io.github.a6sdk.runtime.ConfCache;
import io.github.a6sdk.runtime.PluginCatalog;
import io.github.a6sdk.runtime.PluginFailure;
import io.github.a6sdk.runtime.RequestStates;
import io.github.a6sdk.runtime.call.ExtraInfo;
import io.github.a6sdk.runtime.call.RequestView;
import io.github.a6sdk.runtime.call.StopResponse;
import io.github.a6sdk.runtime.call.UpstreamView;
import io.github.a6sdk.runtime.metrics.Metrics;
import io.github.a6sdk.runtime.protocol.DecodeException;
import io.github.a6sdk.runtime.protocol.Encoder;
import io.github.a6sdk.runtime.protocol.ExtraInfoFailedException;
import io.github.a6sdk.runtime.protocol.FlatReader;
import io.github.a6sdk.runtime.protocol.FrameTooLargeException;
import io.github.a6sdk.runtime.protocol.Rpc;
import io.github.a6sdk.runtime.protocol.WirePrepareConf;
import io.github.a6sdk.runtime.protocol.WireRequest;
import io.github.a6sdk.runtime.protocol.WireResponse;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * Answers one frame: PrepareConf, HTTPReqCall, HTTPRespCall, or anything else with an error. It
 * knows nothing of sockets or threads: the caller hands it the payload and an {@link Io} that
 * collects the reply frames and answers ExtraInfo questions, so the blocking connections and the
 * event loop share every rule of what to answer.
 */
public final class CallHandler {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");

    private final PluginCatalog catalog;
    private final ConfCache cache;
    private final RequestStates states;
    private volatile Metrics metrics;

    private final MemoryGuard memory;
    private final RepeatedLog.Kinds logs = new RepeatedLog.Kinds();

    /** Log lines a peer can make the runner repeat: see RepeatedLog. */
    RepeatedLog.Kinds logs() {
        return logs;
    }

    public CallHandler(PluginCatalog catalog, ConfCache cache) {
        this(catalog, cache, RequestStates.PER_CALL);
    }

    /** A handler whose chains keep request state in {@code states}. */
    public CallHandler(PluginCatalog catalog, ConfCache cache, RequestStates states) {
        this.catalog = catalog;
        this.cache = cache;
        this.states = states;
        this.memory = new MemoryGuard(cache);
    }

    /** The JVM ran out of heap on {@code where}: see {@link MemoryGuard}. */
    void outOfMemory(OutOfMemoryError e, String where) {
        memory.outOfMemory(e, where);
    }

    void useMetrics(Metrics m) {
        this.metrics = m;
        if (m != null) {
            m.exportRequestStates(states);
        }
    }

    /** Where a call's reply goes, and where its ExtraInfo questions are answered. */
    interface Io extends ExtraInfo {
        /** The builder of the reply. */
        Encoder encoder();

        /** Replaces the encoder after a failure left it half-built. */
        void resetEncoder();

        /** Appends the encoder's finished buffer as one frame of {@code type}. */
        void append(int type) throws FrameTooLargeException;

        /** Drops frames appended and not yet sent (a reply replaced by an error reply). */
        void discardOutput();
    }

    /** The chain a call frame names, or {@code null} (not a call, undecodable, or an unknown token). */
    Chain chainOf(int type, FlatReader payload) {
        try {
            if (type == Rpc.HTTP_REQ_CALL) {
                return cache.get(new WireRequest(payload).confToken());
            }
            if (type == Rpc.HTTP_RESP_CALL) {
                return cache.get(new WireResponse(payload).confToken());
            }
        } catch (DecodeException e) {
            return null;
        }
        return null;
    }

    /**
     * Answers one frame into {@code io}. A plugin failure, an undecodable frame or a reply that
     * cannot be built is answered with an error frame; only a failed ExtraInfo exchange (the peer
     * is gone or broke the protocol) is thrown, and ends the connection.
     */
    void handle(int type, FlatReader payload, Io io, CallState call) {
        handle(type, payload, io, call, null);
    }

    /**
     * {@link #handle(int, FlatReader, Io, CallState)} for a call whose chain the caller has looked up
     * already ({@link #chainOf}; {@code null}: look it up here).
     */
    void handle(int type, FlatReader payload, Io io, CallState call, Chain known) {
        // The rare cases (an unexpected or undecodable frame, a failed reply) are methods of their own: this
        // method is on every call's path, and stays a dispatch.
        try {
            switch (type) {
                case Rpc.PREPARE_CONF:
                    prepareConf(payload, io);
                    break;
                case Rpc.HTTP_REQ_CALL:
                    requestCall(payload, io, call, known);
                    break;
                case Rpc.HTTP_RESP_CALL:
                    responseCall(payload, io, call, known);
                    break;
                default:
                    unexpected(type, payload, io);
            }
        } catch (DecodeException e) {
            undecodable(type, payload, io, e);
        } catch (ExtraInfoFailedException e) {
            throw e;
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            failed(io, call, e);
        }
    }

    private void unexpected(int type, FlatReader payload, Io io) {
        frameError(Metrics.FRAME_UNEXPECTED_TYPE);
        logs.badFrames.log(Level.WARNING, "unexpected {0} frame ({1} bytes) outside a call: answering BAD_REQUEST",
                Rpc.typeName(type), payload.length());
        error(io, Rpc.ERR_BAD_REQUEST);
    }

    private void undecodable(int type, FlatReader payload, Io io, DecodeException e) {
        frameError(Metrics.FRAME_UNDECODABLE);
        logs.badFrames.log(Level.WARNING, "undecodable {0} frame ({1} bytes): {2}; answering BAD_REQUEST",
                Rpc.typeName(type), payload.length(), e.getMessage());
        io.discardOutput();
        error(io, Rpc.ERR_BAD_REQUEST);
    }

    /** Building the reply failed (or a plugin ran out of memory): fail this call, keep the connection. */
    private void failed(Io io, CallState call, Throwable e) {
        io.resetEncoder();
        io.discardOutput();
        if (e instanceof OutOfMemoryError oom) {
            memory.outOfMemory(oom, call.name());
        }
        if (call.timedOut) {
            return;
        }
        LOG.log(Level.ERROR, call.name() + " (plugins " + call.plugins() + ") failed: " + e
                + "; answering SERVICE_UNAVAILABLE", e);
        error(io, Rpc.ERR_SERVICE_UNAVAILABLE);
    }

    private void frameError(int reason) {
        Metrics m = metrics;
        if (m != null) {
            m.frameError(reason);
        }
    }

    private void prepareConf(FlatReader r, Io io) {
        List<Chain.Entry> entries = WirePrepareConf.entries(r);
        Metrics m = metrics;
        long weight = ConfCache.estimate(entries);
        if (weight > cache.maxEntryBytes()) {
            // Parsing it could fill the heap, and keeping it would push out a great many other routes.
            logs.rejectedConfs.log(Level.ERROR, "PrepareConf (key {0}) refused: its configs ({1} characters) would hold about {2} KiB of"
                    + " heap, more than a quarter of what route configs may hold ({3} KiB: A6_CONF_CACHE_BYTES, by default a"
                    + " third of -Xmx); APISIX answers this route with 503", WirePrepareConf.key(r),
                    String.valueOf(ConfCache.characters(entries)), String.valueOf(weight / 1024),
                    String.valueOf(cache.maxBytes() / 1024));
            error(io, Rpc.ERR_BAD_REQUEST);
            return;
        }
        Chain chain;
        try {
            chain = Chain.prepare(m == null ? catalog : m.catalogFor(WirePrepareConf.key(r)), entries, states);
        } catch (ConfigException e) {
            if (m != null) {
                m.prepareRejected(catalog, entries);
            }
            logs.rejectedConfs.log(Level.ERROR, "PrepareConf (key {0}) rejected: {1}; APISIX answers this route with 503",
                    WirePrepareConf.key(r), e.getMessage());
            error(io, Rpc.ERR_BAD_REQUEST);
            return;
        }
        long token = cache.put(chain, weight);
        if (m != null) {
            m.prepared();
        }
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "PrepareConf (key {0}) -> token {1}: {2}", WirePrepareConf.key(r), String.valueOf(token),
                    chain.names());
        }
        io.encoder().prepareConf(token);
        send(io, Rpc.PREPARE_CONF);
    }

    private void requestCall(FlatReader payload, Io io, CallState call, Chain known) {
        WireRequest req = new WireRequest(payload);
        long token = req.confToken();
        long id = req.id();
        Chain chain = known != null ? known : cache.get(token);
        if (chain == null) {
            tokenNotFound(io, "HTTPReqCall", id, token);
            return;
        }
        call.kind = "HTTPReqCall";
        call.id = id;
        call.chain = chain;
        RequestView request = new RequestView(req, io);
        StopResponse response = new StopResponse();
        try {
            chain.runRequest(request, response);
        } catch (PluginFailure f) {
            failed(io, call, f);
            return;
        }
        Encoder encoder = io.encoder();
        if (response.isStopped()) {
            if (tooLarge(io, call, "the Stop body", response.body())) {
                return;
            }
            encoder.stop(id, response);
        } else if (request.isRewritten()) {
            if (tooLarge(io, call, "the rewritten request body", request.rewrittenBody())) {
                return;
            }
            encoder.rewrite(id, request);
        } else {
            encoder.pass(id);
        }
        send(io, Rpc.HTTP_REQ_CALL);
    }

    private void responseCall(FlatReader payload, Io io, CallState call, Chain known) {
        WireResponse resp = new WireResponse(payload);
        long token = resp.confToken();
        long id = resp.id();
        Chain chain = known != null ? known : cache.get(token);
        if (chain == null) {
            tokenNotFound(io, "HTTPRespCall", id, token);
            return;
        }
        call.kind = "HTTPRespCall";
        call.id = id;
        call.chain = chain;
        UpstreamView response = new UpstreamView(resp, io);
        try {
            chain.runResponse(response);
        } catch (PluginFailure f) {
            failed(io, call, f);
            return;
        }
        if (tooLarge(io, call, "the response body", response.changedBody())) {
            return;
        }
        io.encoder().respCall(id, response);
        send(io, Rpc.HTTP_RESP_CALL);
    }

    private void tokenNotFound(Io io, String kind, long id, long token) {
        Metrics m = metrics;
        if (m != null) {
            m.tokenMiss();
        }
        logs.unknownTokens.log(Level.INFO, "{0} {1}: conf token {2} not found (expired, evicted, or from an earlier runner);"
                + " APISIX will prepare it again", kind, String.valueOf(id), String.valueOf(token));
        error(io, Rpc.ERR_CONF_TOKEN_NOT_FOUND);
    }

    /** A body too large for a frame: answered with an error, never a corrupted frame. */
    private static boolean tooLarge(Io io, CallState call, String what, byte[] body) {
        if (body == null || body.length <= Rpc.MAX_PAYLOAD - 64) {
            return false;
        }
        LOG.log(Level.ERROR, "{0} (plugins {1}): {2} of {3} bytes does not fit a frame of at most {4} bytes;"
                + " answering SERVICE_UNAVAILABLE", call.name(), call.plugins(), what,
                String.valueOf(body.length), String.valueOf(Rpc.MAX_PAYLOAD));
        io.discardOutput();
        error(io, Rpc.ERR_SERVICE_UNAVAILABLE);
        return true;
    }

    private static void failed(Io io, CallState call, PluginFailure f) {
        io.discardOutput();
        if (call.timedOut) {
            return;
        }
        LOG.log(Level.ERROR, call.name() + ": " + f.getMessage() + "; answering SERVICE_UNAVAILABLE", f.getCause());
        error(io, Rpc.ERR_SERVICE_UNAVAILABLE);
    }

    private static void send(Io io, int type) {
        try {
            io.append(type);
        } catch (FrameTooLargeException e) {
            LOG.log(Level.ERROR, "{0} reply not sent: {1}; answering SERVICE_UNAVAILABLE", Rpc.typeName(type), e.getMessage());
            io.discardOutput();
            error(io, Rpc.ERR_SERVICE_UNAVAILABLE);
        }
    }

    static void error(Io io, int code) {
        io.encoder().error(code);
        try {
            io.append(Rpc.ERROR);
        } catch (FrameTooLargeException e) {
            throw new IllegalStateException(e);
        }
    }
}
