package io.github.a6sdk.runtime;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Sets up {@code System.Logger}'s default backend (java.util.logging) for a runner: one line per
 * record, at the level of {@code A6_LOG_LEVEL}, on stderr (which APISIX copies into its error.log) or
 * appended to {@code A6_LOG_FILE}.
 *
 * <p>When the class path brings its own {@code System.LoggerFinder} (for example
 * {@code org.slf4j:slf4j-jdk-platform-logging}, which hands {@code System.Logger} to SLF4J and so to
 * Logback), that backend decides levels and output: this class then changes nothing, not even
 * java.util.logging's set-up.
 *
 * <p>A plugin's lines carry its name: {@code [a6 forward-auth]}.
 */
public final class RunnerLogging {
    /** The prefix of the loggers that plugins get from their context. */
    private static final String PLUGIN_LOGGERS = io.github.a6sdk.api.PluginContext.loggerName("");
    /** How often the log file is checked for rotation (see {@link LogFileHandler}). */
    static final long ROTATION_CHECK_MILLIS = 1000;

    private RunnerLogging() {}

    /** Logs to stderr at {@code level}. */
    public static void configure(String level) {
        configure(level, null);
    }

    /**
     * Logs at {@code level} to {@code file} (appended to), or to stderr when it is {@code null}.
     *
     * @throws IllegalArgumentException for a bad level, or a file that cannot be opened (the message
     *     names the variable and the path)
     */
    public static void configure(String level, Path file) {
        Level julLevel = toJul(level);
        String finder = userLoggerFinder();
        if (finder != null) {
            if (file != null) {
                System.getLogger("io.github.a6sdk.runtime").log(System.Logger.Level.WARNING,
                        "A6_LOG_FILE is ignored: System.Logger goes to {0} from the class path; set the file in"
                                + " that backend''s configuration", finder);
            }
            return;
        }
        Handler handler = file == null ? new ConsoleHandler() : LogFileHandler.open(file, ROTATION_CHECK_MILLIS);
        handler.setLevel(Level.ALL);
        handler.setFormatter(new OneLine());
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.addHandler(handler);
        // DEBUG (and TRACE) are for the runner's own loggers and the plugins': every other logger of the JVM
        // (the JDK's HTTP client, TLS, ...) stays at INFO, or it would print, say, the whole trust store.
        boolean fine = julLevel.intValue() < Level.INFO.intValue();
        root.setLevel(fine ? Level.INFO : julLevel);
        debugLevel = fine ? julLevel : null;
        if (fine) {
            for (String name : DEBUG_LOGGERS) {
                debugAlso(name);
            }
        }
    }

    /** The logger names (and so their children) that A6_LOG_LEVEL=DEBUG turns on: the runner's, the plugins'. */
    static final List<String> DEBUG_LOGGERS = List.of("io.github.a6sdk", PLUGIN_LOGGERS.substring(0, PLUGIN_LOGGERS.length() - 1));
    /** The loggers whose level was set here: java.util.logging holds loggers weakly, and a level must not be lost. */
    private static final List<Logger> KEEP = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** A6_LOG_LEVEL when it is finer than INFO, else null. */
    private static volatile Level debugLevel;

    /**
     * Turns a DEBUG (or TRACE) A6_LOG_LEVEL on for the loggers under {@code name} too: the runner calls
     * it with each plugin's package, so that a plugin that logs with
     * {@code System.getLogger(getClass().getName())} rather than its context's logger gets it as well.
     * Does nothing at coarser levels, or when a logging backend from the class path decides levels.
     */
    public static void debugAlso(String name) {
        Level level = debugLevel;
        if (level == null || name.isEmpty()) {
            return;
        }
        Logger logger = Logger.getLogger(name);
        logger.setLevel(level);
        KEEP.add(logger);
    }

    /**
     * The class name of the {@code System.LoggerFinder} the class path provides, or {@code null} when
     * {@code System.Logger} uses the JDK's own backend.
     */
    static String userLoggerFinder() {
        String name = System.LoggerFinder.getLoggerFinder().getClass().getName();
        return name.startsWith("jdk.internal.") || name.startsWith("sun.util.logging.") ? null : name;
    }

    static Level toJul(String level) {
        switch (level.trim().toUpperCase(Locale.ROOT)) {
            case "OFF": return Level.OFF;
            case "ERROR": return Level.SEVERE;
            case "WARN":
            case "WARNING": return Level.WARNING;
            case "INFO": return Level.INFO;
            case "DEBUG": return Level.FINE;
            case "TRACE":
            case "ALL": return Level.ALL;
            default:
                throw new IllegalArgumentException("A6_LOG_LEVEL must be one of OFF, ERROR, WARN, INFO, DEBUG, TRACE; got \""
                        + level + "\"");
        }
    }

    /**
     * One line per record: {@code 2026-12-02T18:35:30.037Z INFO  [a6] message}, then the stack trace
     * of a throwable. Timestamp and message are formatted without {@code java.time} and
     * {@code java.text.MessageFormat} (both cost the runner's start tens of classes and several ms):
     * {@code {0}}-style parameters are replaced by their {@code String.valueOf} (numbers without
     * grouping), {@code ''} is a quote; a pattern with a format type such as {@code {0,number,#.#}}
     * goes to {@link MessageFormat} as before.
     */
    static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder(160);
            appendUtc(sb, r.getMillis());
            sb.append(' ').append(name(r.getLevel())).append(" [a6").append(plugin(r.getLoggerName())).append("] ");
            appendMessage(sb, r);
            sb.append(System.lineSeparator());
            if (r.getThrown() != null) {
                StringWriter sw = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(sw));
                sb.append(sw);
            }
            return sb.toString();
        }

        private void appendMessage(StringBuilder sb, LogRecord r) {
            String pattern = r.getMessage();
            Object[] params = r.getParameters();
            if (pattern == null || params == null || params.length == 0 || r.getResourceBundle() != null) {
                sb.append(formatMessage(r));
                return;
            }
            int start = sb.length();
            if (!substitute(sb, pattern, params)) {
                sb.setLength(start);
                sb.append(formatMessage(r));
            }
        }

        /** {@code {n}} and quotes as MessageFormat reads them; false for anything else it would read differently. */
        static boolean substitute(StringBuilder sb, String pattern, Object[] params) {
            boolean quoted = false;
            for (int i = 0; i < pattern.length(); i++) {
                char c = pattern.charAt(i);
                if (c == '\'') {
                    if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '\'') {
                        sb.append('\'');
                        i++;
                    } else {
                        quoted = !quoted;
                    }
                } else if (c == '{' && !quoted) {
                    int close = pattern.indexOf('}', i);
                    if (close < 0) {
                        return false;
                    }
                    int n = 0;
                    for (int j = i + 1; j < close; j++) {
                        char d = pattern.charAt(j);
                        if (d < '0' || d > '9' || j - i > 3) {
                            return false; // {0,number}, {name}: MessageFormat's own business
                        }
                        n = n * 10 + (d - '0');
                    }
                    if (close == i + 1) {
                        return false;
                    }
                    sb.append(n < params.length ? String.valueOf(params[n]) : pattern.substring(i, close + 1));
                    i = close;
                } else {
                    sb.append(c);
                }
            }
            return true;
        }

        /** {@code yyyy-MM-ddTHH:mm:ss.SSSZ} of {@code millis} since the epoch, in UTC. */
        static void appendUtc(StringBuilder sb, long millis) {
            long days = Math.floorDiv(millis, 86_400_000L);
            long ms = Math.floorMod(millis, 86_400_000L);
            // civil_from_days (H. Hinnant): days since 1970-01-01 to year, month, day
            long z = days + 719_468;
            long era = Math.floorDiv(z, 146_097);
            long doe = z - era * 146_097;
            long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
            long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            long mp = (5 * doy + 2) / 153;
            long day = doy - (153 * mp + 2) / 5 + 1;
            long month = mp < 10 ? mp + 3 : mp - 9;
            long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
            sb.append(year).append('-');
            two(sb, month).append('-');
            two(sb, day).append('T');
            two(sb, ms / 3_600_000).append(':');
            two(sb, ms / 60_000 % 60).append(':');
            two(sb, ms / 1000 % 60).append('.');
            long frac = ms % 1000;
            sb.append(frac < 100 ? (frac < 10 ? "00" : "0") : "").append(frac).append('Z');
        }

        private static StringBuilder two(StringBuilder sb, long v) {
            return sb.append(v < 10 ? "0" : "").append(v);
        }

        /** {@code " forward-auth"} for a plugin's logger ({@link io.github.a6sdk.api.PluginContext#logger()}), else "". */
        static String plugin(String loggerName) {
            return loggerName != null && loggerName.startsWith(PLUGIN_LOGGERS)
                    ? " " + loggerName.substring(PLUGIN_LOGGERS.length())
                    : "";
        }

        private static String name(Level level) {
            int v = level.intValue();
            if (v >= Level.SEVERE.intValue()) {
                return "ERROR";
            }
            if (v >= Level.WARNING.intValue()) {
                return "WARN ";
            }
            if (v >= Level.INFO.intValue()) {
                return "INFO ";
            }
            return "DEBUG";
        }
    }
}
