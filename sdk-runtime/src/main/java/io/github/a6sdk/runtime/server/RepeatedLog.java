package io.github.a6sdk.runtime.server;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Log lines of one kind that a peer can make the runner write again and again (bad frames, refused
 * connections, stalled frames, rejected configs): the first {@link #BURST} of an interval are logged
 * as they come, the rest are counted, and one line per interval says how many were left out. A
 * flood of bad input stays a few lines of log.
 */
final class RepeatedLog {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");
    /** Lines of one kind logged in full per interval. */
    static final int BURST = 5;
    /** The interval. */
    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** The kinds one runner keeps apart (each runner its own: tests run several in one JVM). */
    static final class Kinds {
        final RepeatedLog badFrames = new RepeatedLog("bad frames and connections closed inside a frame");
        final RepeatedLog stalledFrames = new RepeatedLog("connections closed on a stalled frame");
        final RepeatedLog refused = new RepeatedLog("refused connections");
        final RepeatedLog rejectedConfs = new RepeatedLog("rejected PrepareConfs");
        final RepeatedLog unknownTokens = new RepeatedLog("calls with an unknown conf token");
        private final List<RepeatedLog> all = List.of(badFrames, stalledFrames, refused, rejectedConfs, unknownTokens);

        /** Summaries of the kinds whose interval is over (the watchdog calls this often). */
        void flush(long now) {
            for (RepeatedLog r : all) {
                r.flush(now);
            }
        }
    }

    private final String kind;
    private long windowStart = System.nanoTime() - INTERVAL_NANOS;
    private int logged;
    private long leftOut;

    RepeatedLog(String kind) {
        this.kind = kind;
    }

    /** Logs {@code message} unless this kind has had its {@link #BURST} lines in this interval. */
    void log(Level level, String message, Object... params) {
        if (allow(System.nanoTime())) {
            LOG.log(level, message, params);
        }
    }

    /** Whether a line of this kind may be logged now; counts it as left out otherwise. */
    synchronized boolean allow(long now) {
        if (now - windowStart >= INTERVAL_NANOS) {
            summarize(now);
            windowStart = now;
            logged = 0;
        }
        if (logged < BURST) {
            logged++;
            return true;
        }
        leftOut++;
        return false;
    }

    /** After its interval: one line for what was left out of it (the watchdog calls this often). */
    synchronized void flush(long now) {
        if (leftOut > 0 && now - windowStart >= INTERVAL_NANOS) {
            summarize(now);
            windowStart = now;
            logged = 0;
        }
    }

    private void summarize(long now) {
        if (leftOut > 0) {
            LOG.log(Level.WARNING, "{0} more {1} in the last {2} s (the first {3} of every {4} s are logged in full)",
                    String.valueOf(leftOut), kind, String.valueOf(TimeUnit.NANOSECONDS.toSeconds(now - windowStart)),
                    String.valueOf(BURST), String.valueOf(TimeUnit.NANOSECONDS.toSeconds(INTERVAL_NANOS)));
            leftOut = 0;
        }
    }

    /** Lines left out so far in the current interval (for tests). */
    synchronized long leftOut() {
        return leftOut;
    }

}
