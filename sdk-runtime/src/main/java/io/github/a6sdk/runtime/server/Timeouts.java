package io.github.a6sdk.runtime.server;

import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

/** The watchdog's log lines, the same for both kinds of connection. */
final class Timeouts {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");
    private Timeouts() {}

    private static String ms(long nanos) {
        return String.valueOf(TimeUnit.NANOSECONDS.toMillis(nanos));
    }

    /** Between calls, a frame began and never completed: the peer stalled mid-frame. */
    static void stalledFrame(RepeatedLog.Kinds logs, long stalledNanos, long limitNanos) {
        logs.stalledFrames.log(Level.WARNING, "closing connection: the peer sent part of a frame and nothing more for {0} ms"
                + " (A6_CALL_TIMEOUT_MS={1})", ms(stalledNanos), ms(limitNanos));
    }

    static void timedOut(CallState call, long elapsedNanos, long limitNanos, Thread t) {
        LOG.log(Level.ERROR, "{0} (plugins {1}) timed out after {2} ms (A6_CALL_TIMEOUT_MS={3}): answering"
                + " SERVICE_UNAVAILABLE, interrupting {4} and closing the connection. The plugin is at: {5}",
                call.name(), call.plugins(), ms(elapsedNanos), ms(limitNanos),
                t == null ? "no thread (the call waits for APISIX)" : "thread " + t.getName(), t == null ? "-" : where(t));
    }

    static void stuckWriting(CallState call, long elapsedNanos, long limitNanos) {
        LOG.log(Level.ERROR, "{0}: stuck writing to APISIX for {1} ms (A6_CALL_TIMEOUT_MS={2}); closing the connection",
                call.name(), ms(elapsedNanos), ms(limitNanos));
    }

    static void ignoresInterrupts(CallState call, Thread t, long sinceNanos) {
        LOG.log(Level.WARNING, "{0}: the plugin thread {1} is still running {2} ms after it was interrupted;"
                + " it ignores interrupts, and holds a thread until it returns. It is at: {3}",
                call.name(), t.getName(), ms(sinceNanos), where(t));
    }

    static String where(Thread t) {
        StackTraceElement[] stack = t.getStackTrace();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(stack.length, 6); i++) {
            sb.append(i == 0 ? "" : " < ").append(stack[i]);
        }
        return sb.length() == 0 ? "(no stack)" : sb.toString();
    }
}
