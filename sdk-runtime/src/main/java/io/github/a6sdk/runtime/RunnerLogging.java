package io.github.a6sdk.runtime;

import java.io.PrintWriter;
import java.io.StringWriter;
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
 * record on stderr, which APISIX copies into its error.log, at the level of {@code A6_LOG_LEVEL}. A
 * plugin's lines carry its name: {@code [a6 forward-auth]}.
 * Applications that bring their own {@code System.LoggerFinder} keep it; this only configures JUL.
 */
public final class RunnerLogging {
    private RunnerLogging() {}

    public static void configure(String level) {
        Level julLevel = toJul(level);
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Handler handler = new ConsoleHandler();
        handler.setLevel(Level.ALL);
        handler.setFormatter(new OneLine());
        root.addHandler(handler);
        root.setLevel(julLevel);
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
