package io.github.a6sdk.runtime.server;

/** One APISIX connection, as the drain on SIGTERM and the watchdog see it. */
public interface ServerConnection {

    /** Whether a call is being served (its reply not yet written). */
    boolean isBusy();

    /** Since when (System.nanoTime) the connection has been idle with nothing arriving. */
    long quietSince();

    /** Stops reading new calls: an idle connection ends; a call in flight still writes its reply. */
    void stopReading();

    /** Closes the connection now. */
    void close();

    /** Gives up on a call (or a frame) that has run longer than {@code limitNanos}. */
    void checkDeadline(long now, long limitNanos);
}
