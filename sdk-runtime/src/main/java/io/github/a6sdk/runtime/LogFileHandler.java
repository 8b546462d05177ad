package io.github.a6sdk.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.logging.ErrorManager;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/**
 * {@code A6_LOG_FILE}: appends each record to a file, and works with logrotate in either mode.
 *
 * <ul>
 *   <li>{@code create} (logrotate's default: the file is renamed and a new one created): at most once a
 *       second, before a write, the handler compares the file at the path with the one it has open (by
 *       {@code fileKey}, device and inode) and reopens the path when they differ or the path is gone. No
 *       signal or {@code postrotate} script is needed; records written in that second land in the
 *       rotated file.
 *   <li>{@code copytruncate}: the file is opened with {@code O_APPEND}, so after a truncation the next
 *       record goes to the new end of the file, not to the old offset (no run of zero bytes).
 * </ul>
 *
 * Each record is one {@code write(2)}: nothing is buffered, so nothing is lost when the JVM is killed.
 */
final class LogFileHandler extends Handler {
    private final Path path;
    private final long checkEveryNanos;
    private OutputStream out;
    private Object openKey;
    private long nextCheck;

    private LogFileHandler(Path path, long checkEveryNanos) throws IOException {
        this.path = path;
        this.checkEveryNanos = checkEveryNanos;
        this.out = open(path);
        this.openKey = key(path);
        this.nextCheck = System.nanoTime() + checkEveryNanos;
    }

    /**
     * Opens {@code path} for appending (creating it), checking for rotation at most every
     * {@code checkEveryMillis}; a path that cannot be opened is an error naming {@code A6_LOG_FILE}.
     */
    static LogFileHandler open(Path path, long checkEveryMillis) {
        try {
            return new LogFileHandler(path, TimeUnit.MILLISECONDS.toNanos(checkEveryMillis));
        } catch (IOException e) {
            throw new IllegalArgumentException("A6_LOG_FILE=" + path + ": cannot open it for appending: " + why(path, e), e);
        }
    }

    private static String why(Path path, IOException e) {
        if (e instanceof NoSuchFileException) {
            return "the folder " + path.getParent() + " does not exist";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied (the runner runs as user " + System.getProperty("user.name") + ")";
        }
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            return ((FileSystemException) e).getReason();
        }
        return e.toString();
    }

    private static OutputStream open(Path path) throws IOException {
        return Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /** The identity of the file at {@code path} (device and inode on Linux), or {@code null} when there is none. */
    private static Object key(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public synchronized void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        String text;
        try {
            text = getFormatter().format(record);
        } catch (RuntimeException e) {
            reportError(null, e, ErrorManager.FORMAT_FAILURE);
            return;
        }
        reopenIfRotated();
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            reportError("cannot write to A6_LOG_FILE=" + path, e, ErrorManager.WRITE_FAILURE);
        }
    }

    private void reopenIfRotated() {
        long now = System.nanoTime();
        if (now - nextCheck < 0) {
            return;
        }
        nextCheck = now + checkEveryNanos;
        Object current = key(path);
        if (current != null && Objects.equals(current, openKey)) {
            return;
        }
        try {
            OutputStream fresh = open(path);
            OutputStream old = out;
            out = fresh;
            openKey = key(path);
            old.close();
        } catch (IOException e) {
            // Keep writing to the file we have; try again at the next check.
            reportError("cannot reopen A6_LOG_FILE=" + path + " after it was moved", e, ErrorManager.OPEN_FAILURE);
        }
    }

    @Override
    public void flush() {
        // Every record is written at once: nothing to flush.
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            reportError(null, e, ErrorManager.CLOSE_FAILURE);
        }
    }
}
