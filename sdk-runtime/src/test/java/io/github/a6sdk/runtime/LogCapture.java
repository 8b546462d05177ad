package io.github.a6sdk.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** Collects what the runtime logs through System.Logger (java.util.logging by default). */
final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger = Logger.getLogger("io.github.a6sdk.runtime");
    private final SimpleFormatter formatter = new SimpleFormatter();
    private final List<String> lines = new ArrayList<>();
    private final Level previous;

    LogCapture() {
        setLevel(Level.ALL);
        previous = logger.getLevel();
        // Another test may have configured logging OFF (RunnerLogging); capture INFO and above anyway.
        logger.setLevel(Level.INFO);
        logger.addHandler(this);
    }

    @Override
    public synchronized void publish(LogRecord r) {
        lines.add(r.getLevel() + " " + formatter.formatMessage(r));
    }

    synchronized List<String> lines() {
        return new ArrayList<>(lines);
    }

    /** The lines that contain every one of {@code parts}. */
    synchronized List<String> matching(String... parts) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            boolean all = true;
            for (String p : parts) {
                all &= line.contains(p);
            }
            if (all) {
                out.add(line);
            }
        }
        return out;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previous);
    }
}
