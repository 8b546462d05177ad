package io.github.a6sdk.runtime;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
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
        root.setLevel(julLevel);
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

    /** The prefix of the loggers that plugins get from their context. */
    private static final String PLUGIN_LOGGERS = io.github.a6sdk.api.PluginContext.loggerName("");

    private static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder(160);
            sb.append(Instant.ofEpochMilli(r.getMillis())).append(' ').append(name(r.getLevel()))
                    .append(" [a6").append(plugin(r.getLoggerName())).append("] ").append(formatMessage(r))
                    .append(System.lineSeparator());
            if (r.getThrown() != null) {
                StringWriter sw = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(sw));
                sb.append(sw);
            }
            return sb.toString();
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
