package io.github.a6sdk.runtime.server;

/** One APISIX connection, as the drain on SIGTERM and the watchdog see it. */
public interface ServerConnection {

    /** Whether a call is being served or is arriving (its reply not yet written). */
    boolean isBusy();

    /** Since when (System.nanoTime) the connection has been idle: the end of its last call, or its accept; now while a frame is arriving. */
    long quietSince();

    /**
     * Retires a connection that is idle in the client's keepalive pool, without a race with a call
     * the client may be writing on it at this very moment: if nothing has arrived, the runner writes
     * the goodbye frame ({@link Frames#GOODBYE}), shuts its output down and from then on discards
     * what arrives and closes once the client has closed. nginx drops a pooled connection that
     * becomes readable; a client that wrote a call meanwhile reads the goodbye as its answer,
     * CONF_TOKEN_NOT_FOUND, and tries again on another connection. A connection with a call in
     * flight or arriving is left alone: its reply carries the goodbye (the runner is closing
     * connections after calls). Returns at once; the goodbye may be written on another thread.
     */
    void sayGoodbye();

    /** Closes the connection now. */
    void close();

    /** Gives up on a call (or a frame) that has run longer than {@code limitNanos}. */
    void checkDeadline(long now, long limitNanos);
}
