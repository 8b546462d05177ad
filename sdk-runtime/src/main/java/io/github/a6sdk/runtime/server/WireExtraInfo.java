package io.github.a6sdk.runtime.server;

import io.github.a6sdk.runtime.protocol.FrameTooLargeException;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.io.IOException;
import java.util.List;

/**
 * ExtraInfo over the wire, for any connection: questions are appended as frames, leave in one
 * write, and their answers come back in order.
 */
abstract class WireExtraInfo implements CallHandler.Io {

    /** Sends the questions appended so far and reads {@code n} answers. */
    abstract byte[][] answers(int n) throws IOException;

    /** Where ExtraInfo questions are counted, or null. */
    abstract io.github.a6sdk.runtime.metrics.Metrics metrics();

    private void count(int kind) {
        io.github.a6sdk.runtime.metrics.Metrics m = metrics();
        if (m != null) {
            m.extraInfo(kind);
        }
    }

    /** The answers of a prefetch round already made for these {@code n} questions, or null. */
    byte[][] prefetched(int n) {
        return null;
    }

    @Override
    public byte[] var(String name) throws IOException {
        encoder().extraInfoVar(name);
        ask();
        count(io.github.a6sdk.runtime.metrics.Metrics.EXTRA_VAR);
        return answers(1)[0];
    }

    @Override
    public byte[] requestBody() throws IOException {
        encoder().extraInfoBody(false);
        ask();
        count(io.github.a6sdk.runtime.metrics.Metrics.EXTRA_REQ_BODY);
        return answers(1)[0];
    }

    @Override
    public byte[] responseBody() throws IOException {
        encoder().extraInfoBody(true);
        ask();
        count(io.github.a6sdk.runtime.metrics.Metrics.EXTRA_RESP_BODY);
        return answers(1)[0];
    }

    @Override
    public byte[][] fetch(List<String> vars, boolean requestBody, boolean responseBody) throws IOException {
        int n = vars.size() + (requestBody ? 1 : 0) + (responseBody ? 1 : 0);
        byte[][] ready = prefetched(n);
        if (ready != null) {
            return ready;
        }
        for (String v : vars) {
            encoder().extraInfoVar(v);
            ask();
        }
        if (requestBody) {
            encoder().extraInfoBody(false);
            ask();
        }
        if (responseBody) {
            encoder().extraInfoBody(true);
            ask();
        }
        io.github.a6sdk.runtime.metrics.Metrics m = metrics();
        if (m != null) {
            m.extraInfo(vars.size(), requestBody, responseBody);
        }
        return answers(n);
    }

    private void ask() throws IOException {
        try {
            append(Rpc.EXTRA_INFO);
        } catch (FrameTooLargeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
