package io.github.a6sdk.runtime.server;

import io.github.a6sdk.runtime.Chain;
import io.github.a6sdk.runtime.protocol.Rpc;

/**
 * What a connection is doing, for log lines and the watchdog. Written by the thread serving the
 * call, read by the watchdog; the text of a log line is built only when it is logged.
 */
final class CallState {
    volatile String kind = "call";
    volatile long id = -1;
    volatile Chain chain;
    /** Set once the watchdog gave up on the call: nothing more is written for it. */
    volatile boolean timedOut;

    void begin(int type) {
        kind = Rpc.typeName(type);
        id = -1;
        chain = null;
    }

    String name() {
        long i = id;
        return i < 0 ? kind : kind + " " + i;
    }

    String plugins() {
        Chain c = chain;
        return c == null ? "[]" : c.names().toString();
    }
}
