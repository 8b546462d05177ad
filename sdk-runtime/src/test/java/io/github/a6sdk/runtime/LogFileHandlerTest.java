package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code A6_LOG_FILE}: appending, both logrotate modes, and the start-up error for a bad path. */
class LogFileHandlerTest {
    @TempDir Path dir;

    /** Checks for rotation before every record, so that the test needs no sleep. */
    private static LogFileHandler handler(Path file) {
        LogFileHandler h = LogFileHandler.open(file, 0);
        h.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                return r.getMessage() + "\n";
            }
        });
        return h;
    }

    private static void log(LogFileHandler h, String message) {
        h.publish(new LogRecord(Level.INFO, message));
    }

    @Test
    void appendsToWhatTheFileAlreadyHolds() throws Exception {
        Path file = dir.resolve("runner.log");
        Files.writeString(file, "earlier run\n");
        LogFileHandler h = handler(file);
        log(h, "one");
        log(h, "two");
        h.close();
        assertEquals("earlier run\none\ntwo\n", Files.readString(file));
    }

    @Test
    void logrotateCreateModeTheMovedFileIsLeftAndThePathReopened() throws Exception {
        Path file = dir.resolve("runner.log");
        LogFileHandler h = handler(file);
        log(h, "before");
        Files.move(file, dir.resolve("runner.log.1"));
        Files.writeString(file, "");                     // logrotate's "create": a fresh, empty file
        log(h, "into the new file");
        Files.move(file, dir.resolve("runner.log.2"));   // moved, and no new file made: the handler creates it
        log(h, "into a file of its own");
        h.close();
        assertEquals("before\n", Files.readString(dir.resolve("runner.log.1")));
        assertEquals("into the new file\n", Files.readString(dir.resolve("runner.log.2")));
        assertEquals("into a file of its own\n", Files.readString(file));
    }

    @Test
    void logrotateCopytruncateModeWritesAtTheNewEndWithoutAHole() throws Exception {
        Path file = dir.resolve("runner.log");
        LogFileHandler h = handler(file);
        log(h, "a long line written before the copy and the truncation");
        Files.copy(file, dir.resolve("runner.log.1"));
        Files.write(file, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
        log(h, "next");
        h.close();
        assertEquals("next\n", Files.readString(file), "O_APPEND: no zero bytes where the old lines were");
    }

    @Test
    void aFileThatCannotBeOpenedIsAnErrorNamingTheVariableAndTheMissingFolder() {
        Path file = dir.resolve("no-such-dir").resolve("runner.log");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogFileHandler.open(file, 1000));
        assertEquals("A6_LOG_FILE=" + file + ": cannot open it for appending: the folder " + file.getParent()
                + " does not exist", e.getMessage());
        IllegalArgumentException dirGiven = assertThrows(IllegalArgumentException.class, () -> LogFileHandler.open(dir, 1000));
        assertTrue(dirGiven.getMessage().startsWith("A6_LOG_FILE=" + dir + ": cannot open it for appending: "),
                dirGiven.getMessage());
    }

    @Test
    void theVariableIsReadAsAnAbsolutePathAndStderrIsTheDefault() {
        Map<String, String> base = Map.of("APISIX_LISTEN_ADDRESS", "unix:/tmp/x.sock");
        assertNull(RunnerConfig.fromEnvironment(base).logFile());
        RunnerConfig config = RunnerConfig.fromEnvironment(Map.of("APISIX_LISTEN_ADDRESS", "unix:/tmp/x.sock",
                "A6_LOG_FILE", "logs/runner.log"));
        assertEquals(Path.of("logs/runner.log").toAbsolutePath(), config.logFile());
    }

    @Test
    void theJdkBackendIsNotMistakenForOneFromTheClassPath() {
        assertNull(RunnerLogging.userLoggerFinder(), System.LoggerFinder.getLoggerFinder().getClass().getName());
    }
}
