package io.github.a6sdk.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * What in-process runners log (logger {@code io.github.a6sdk.runtime}, through {@code java.util.logging},
 * the default backend of {@code System.Logger}), kept instead of printed while a {@link FakeApisix}
 * is open: a test that expects a call to fail does not print an ERROR line into the build's output,
 * and a failed call's outcome quotes the lines logged during it. Plugins' own loggers are left alone.
 * With another logging backend nothing is captured, and the runner's lines go where it sends them.
 */
final class RunnerLog extends Handler {
    /** The most lines kept; older ones are dropped. */
    static final int MAX_LINES = 1000;

    private static final Logger RUNTIME = Logger.getLogger("io.github.a6sdk.runtime");
    private static int open;
    private static boolean parentHandlers;

    private final Formatter formatter = new SimpleFormatter();
    private final List<String> lines = new ArrayList<>();
    private long dropped;
    private boolean closed;

    private RunnerLog() {
        setLevel(Level.ALL);
    }

    /** Starts capturing; the runtime's lines stop reaching the console until every capture is closed. */
    static RunnerLog open() {
        RunnerLog log = new RunnerLog();
        synchronized (RunnerLog.class) {
            if (open++ == 0) {
                parentHandlers = RUNTIME.getUseParentHandlers();
                RUNTIME.setUseParentHandlers(false);
            }
        }
        RUNTIME.addHandler(log);
        return log;
    }

    @Override
    public void publish(LogRecord record) {
        String message = formatter.formatMessage(record);
        Throwable thrown = record.getThrown();
        String line = record.getLevel() + " " + message
                + (thrown == null || message.contains(thrown.toString()) ? "" : " (" + thrown + ")");
        synchronized (this) {
            if (lines.size() == MAX_LINES) {
                lines.remove(0);
                dropped++;
            }
            lines.add(line);
        }
    }

    /** A position to read from with {@link #since}. */
    synchronized long mark() {
        return dropped + lines.size();
    }

    /** The lines logged since {@code mark} (those still kept). */
    synchronized List<String> since(long mark) {
        int from = (int) Math.max(0, mark - dropped);
        return from >= lines.size() ? List.of() : List.copyOf(lines.subList(from, lines.size()));
    }

    /** Every line kept. */
    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void flush() {
        // nothing buffered
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        RUNTIME.removeHandler(this);
        synchronized (RunnerLog.class) {
            if (--open == 0) {
                RUNTIME.setUseParentHandlers(parentHandlers);
            }
        }
    }
}
