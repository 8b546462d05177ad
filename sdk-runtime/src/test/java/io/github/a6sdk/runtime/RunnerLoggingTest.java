package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** The runner's log line format, and what A6_LOG_LEVEL=DEBUG turns on. */
class RunnerLoggingTest {
    private static final DateTimeFormatter UTC_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @Test
    void timestampsAreUtcWithMillisecondsLikeJavaTimeWouldWriteThem() {
        long[] samples = {0L, 1L, 999L, 86_399_999L, 951_782_400_000L /* 2000-02-29 */, 1_764_700_530_037L,
            4_107_542_399_999L /* 2100-02-28T23:59:59.999 */, -1L, -86_400_001L};
        for (long ms : samples) {
            StringBuilder sb = new StringBuilder();
            RunnerLogging.OneLine.appendUtc(sb, ms);
            assertEquals(UTC_MILLIS.format(Instant.ofEpochMilli(ms)), sb.toString(), "epoch millis " + ms);
        }
        // every day of four years, at a random time of day
        java.util.Random r = new java.util.Random(7);
        for (long day = 19_000; day < 19_000 + 4 * 366; day++) {
            long ms = day * 86_400_000L + r.nextInt(86_400_000);
            StringBuilder sb = new StringBuilder();
            RunnerLogging.OneLine.appendUtc(sb, ms);
            assertEquals(UTC_MILLIS.format(Instant.ofEpochMilli(ms)), sb.toString());
        }
    }

    private static String line(String pattern, Object... params) {
        LogRecord r = new LogRecord(Level.INFO, pattern);
        r.setParameters(params);
        r.setLoggerName("io.github.a6sdk.runtime");
        r.setMillis(0);
        String out = new RunnerLogging.OneLine().format(r);
        return out.substring("1970-01-01T00:00:00.000Z INFO  [a6] ".length(), out.length() - System.lineSeparator().length());
    }

    @Test
    void parametersAreReplacedAsMessageFormatWouldButNumbersKeepTheirDigits() {
        assertEquals("a 1 b x", line("a {0} b {1}", 1, "x"));
        assertEquals("12345 calls", line("{0} calls", 12345), "no grouping separator");
        assertEquals("the backend's configuration", line("the backend''s configuration", "unused"));
        assertEquals("literal {0} and v", line("literal '{0}' and {0}", "v"));
        assertEquals("null and {3}", line("{0} and {3}", (Object) null));
        // A format type is MessageFormat's: passed on, with its own rules.
        assertEquals("1.5", line("{0,number,#.#}", 1.49));
    }

    @Test
    void aPluginsLoggerIsNamedInTheLine() {
        LogRecord r = new LogRecord(Level.WARNING, "slow service");
        r.setLoggerName(io.github.a6sdk.api.PluginContext.loggerName("forward-auth"));
        r.setMillis(0);
        assertEquals("1970-01-01T00:00:00.000Z WARN  [a6 forward-auth] slow service" + System.lineSeparator(),
                new RunnerLogging.OneLine().format(r));
    }

    /** In a JVM of its own: configure() resets java.util.logging, which the other tests' captures rely on. */
    @Test
    void debugTurnsOnTheRunnersAndThePluginsLoggersButNotTheJdks() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), DebugProbe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("DEBUG [a6] runner detail"), out);
        assertTrue(out.contains("DEBUG [a6 my-plugin] plugin detail"), out);
        assertTrue(out.contains("DEBUG [a6] plugin class logger detail"), out);
        assertFalse(out.contains("jdk detail"), "a JDK logger printed at DEBUG:\n" + out);
        assertTrue(out.contains("INFO  [a6] jdk info"), "a JDK logger still prints INFO:\n" + out);
    }

    /** Configures logging as the runner does at DEBUG, then logs at DEBUG and INFO on several loggers. */
    public static final class DebugProbe {
        public static void main(String[] args) {
            RunnerLogging.configure("DEBUG", null);
            RunnerLogging.debugAlso("org.acme.plugins");
            System.getLogger("io.github.a6sdk.runtime").log(System.Logger.Level.DEBUG, "runner detail");
            System.getLogger(io.github.a6sdk.api.PluginContext.loggerName("my-plugin")).log(System.Logger.Level.DEBUG, "plugin detail");
            System.getLogger("org.acme.plugins.JwtCheck").log(System.Logger.Level.DEBUG, "plugin class logger detail");
            System.getLogger("jdk.internal.httpclient.debug").log(System.Logger.Level.DEBUG, "jdk detail");
            System.getLogger("javax.net.ssl").log(System.Logger.Level.DEBUG, "jdk detail");
            System.getLogger("javax.net.ssl").log(System.Logger.Level.INFO, "jdk info");
        }
    }
}
