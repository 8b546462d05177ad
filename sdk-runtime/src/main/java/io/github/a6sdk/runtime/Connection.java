package io.github.a6sdk.runtime;

import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.runtime.call.ExtraInfo;
import io.github.a6sdk.runtime.call.RequestView;
import io.github.a6sdk.runtime.call.StopResponse;
import io.github.a6sdk.runtime.call.UpstreamView;
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
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ByteChannel;
import java.util.List;

/**
 * Serves one APISIX connection: one exchange at a time, as APISIX never pipelines. Blocking I/O on
 * its own thread, so a plugin that blocks holds only this connection.
 */
final class Connection implements Runnable, ExtraInfo {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");

    private final Runner runner;
    private final FrameChannel io;
    private final Encoder encoder = new Encoder();
    private final FlatReader callReader = new FlatReader();
    private final FlatReader infoReader = new FlatReader();
    private volatile boolean busy;

    Connection(Runner runner, ByteChannel channel) {
        this.runner = runner;
        this.io = new FrameChannel(channel);
    }

    boolean isBusy() {
        return busy;
    }

    @Override
    public void run() {
        try {
            while (io.readFrame()) {
                busy = true;
                try {
                    handle();
                    io.flush();
                } finally {
                    io.endCall();
                    busy = false;
                }
                if (runner.isStopping()) {
                    break;
                }
            }
        } catch (FrameException e) {
            LOG.log(Level.WARNING, "closing connection: {0}", e.getMessage());
        } catch (ExtraInfoFailedException e) {
            LOG.log(Level.WARNING, "closing connection: {0}", e.getMessage());
        } catch (IOException e) {
            if (!runner.isStopping()) {
                LOG.log(Level.DEBUG, "connection ended: {0}", e.toString());
            }
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "closing connection after an unexpected failure", e);
        } finally {
            close();
            runner.closed(this);
        }
    }

    void close() {
        try {
            io.close();
        } catch (IOException ignored) {
            // nothing left to do with a connection that failed to close
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
                    LOG.log(Level.WARNING, "unexpected {0} frame ({1} bytes) outside a call: answering BAD_REQUEST",
                            Rpc.typeName(type), io.payloadLength());
                    error(Rpc.ERR_BAD_REQUEST);
            }
        } catch (DecodeException e) {
            LOG.log(Level.WARNING, "undecodable {0} frame ({1} bytes): {2}; answering BAD_REQUEST",
                    Rpc.typeName(type), io.payloadLength(), e.getMessage());
            io.discardOutput();
            error(Rpc.ERR_BAD_REQUEST);
        }
    }

    private void prepareConf() {
        FlatReader r = io.payload(callReader);
        List<Chain.Entry> entries = WirePrepareConf.entries(r);
        Chain chain;
        try {
            chain = Chain.prepare(runner.catalog(), entries);
        } catch (ConfigException e) {
            LOG.log(Level.ERROR, "PrepareConf (key {0}) rejected: {1}; APISIX answers this route with 503",
                    WirePrepareConf.key(r), e.getMessage());
            error(Rpc.ERR_BAD_REQUEST);
            return;
        }
        long token = runner.cache().put(chain);
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
            LOG.log(Level.INFO, "HTTPReqCall {0}: conf token {1} not found (expired or evicted); APISIX will prepare it again",
                    id, token);
            error(Rpc.ERR_CONF_TOKEN_NOT_FOUND);
            return;
        }
        RequestView request = new RequestView(req, this);
        StopResponse response = new StopResponse();
        try {
            chain.runRequest(request, response);
        } catch (PluginFailure f) {
            failed("HTTPReqCall", id, f);
            return;
        }
        if (response.isStopped()) {
            encoder.stop(id, response);
        } else if (request.isRewritten()) {
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
            LOG.log(Level.INFO, "HTTPRespCall {0}: conf token {1} not found (expired or evicted); APISIX will prepare it again",
                    id, token);
            error(Rpc.ERR_CONF_TOKEN_NOT_FOUND);
            return;
        }
        UpstreamView response = new UpstreamView(resp, this);
        try {
            chain.runResponse(response);
        } catch (PluginFailure f) {
            failed("HTTPRespCall", id, f);
            return;
        }
        encoder.respCall(id, response);
        send(Rpc.HTTP_RESP_CALL);
    }

    private void failed(String call, long id, PluginFailure f) {
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
        encoder.extraInfoVar(name);
        ask();
        io.flush();
        return answer();
    }

    @Override
    public byte[] requestBody() throws IOException {
        encoder.extraInfoBody(false);
        ask();
        io.flush();
        return answer();
    }

    @Override
    public byte[] responseBody() throws IOException {
        encoder.extraInfoBody(true);
        ask();
        io.flush();
        return answer();
    }

    @Override
    public byte[][] fetch(List<String> vars, boolean requestBody, boolean responseBody) throws IOException {
        int n = vars.size() + (requestBody ? 1 : 0) + (responseBody ? 1 : 0);
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
        io.flush();
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            out[i] = answer();
        }
        return out;
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
