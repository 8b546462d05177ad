package io.github.a6sdk.runtime;

import io.github.a6sdk.runtime.security.PeerPolicy;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The runner's settings, from the environment APISIX gives it plus our own {@code A6_*} variables.
 *
 * @param socket the unix socket path ({@code APISIX_LISTEN_ADDRESS} without {@code unix:})
 * @param confExpireSeconds {@code APISIX_CONF_EXPIRE_TIME}; confs live twice that long, covering
 *     APISIX's worst case of 0.9 + 1 times it (docs/protocol.md section 4.3)
 * @param socketMode file mode of the socket, octal ({@code A6_SOCKET_MODE}, default 0766)
 * @param confCacheSize most route confs kept ({@code A6_CONF_CACHE_SIZE}, default 131072)
 * @param confCacheBytes most heap the kept route confs may hold, by estimate ({@code A6_CONF_CACHE_BYTES},
 *     bytes or with a {@code k}, {@code m} or {@code g} suffix; default a third of the JVM's maximum heap):
 *     the oldest give way, and one PrepareConf whose configs would hold more than a quarter of it is refused
 * @param maxConnections most connections served at once ({@code A6_MAX_CONNECTIONS}, default 4096)
 * @param drainMillis how long a stopping runner may take, from SIGTERM to its connections closed
 *     ({@code A6_DRAIN_MS}, default 900; APISIX sends SIGKILL 1 s after SIGTERM): it serves its path while
 *     calls come and no newer runner has taken it, until {@code Runner.RETIRE_MARGIN_MILLIS} before the end,
 *     then retires its connections
 * @param callTimeoutMillis how long one call (plugins and ExtraInfo rounds) may take before the runner
 *     gives up on it, answers SERVICE_UNAVAILABLE and closes its connection ({@code A6_CALL_TIMEOUT_MS},
 *     default 55000, a little under APISIX's 60 s read timeout; 0 turns the watchdog off)
 * @param exitWithParent exit when the parent process (APISIX) is gone ({@code A6_EXIT_WITH_PARENT}, default true)
 * @param logLevel {@code A6_LOG_LEVEL}: ERROR, WARN, INFO (default), DEBUG or OFF
 * @param logFile {@code A6_LOG_FILE}: the file the log is appended to, or {@code null} for stderr (the default)
 * @param eventLoops {@code A6_EVENT_LOOPS}: threads that accept, read and run non-blocking calls
 *     (default: the number of CPUs)
 * @param dedicatedThreads {@code A6_DEDICATED_THREADS}: the most busy connections served on threads of their
 *     own, with blocking reads and writes, rather than by the event loops, and the most active connections
 *     for which that is done at all (default 64; 0: none)
 * @param workers {@code A6_WORKERS}: the most threads running blocking plugins at once (default 512;
 *     made on demand, ended after 10 s idle, the last one idle reused first)
 * @param metricsAddress {@code A6_METRICS_ADDRESS}, {@code host:port} of the Prometheus endpoint, or
 *     {@code null} (unset: no endpoint, nothing recorded). Kept as written: the runner parses and binds
 *     it at start, and a bad value is an ERROR that names the variable while the runner goes on serving
 *     APISIX without metrics (see {@code metrics.Metrics#start}).
 * @param allowedPeers {@code A6_ALLOWED_PEERS}: the local users that may connect, checked on every
 *     accepted connection before any frame; unset, anyone who can open the socket file
 * @param requestStateMaxEntries {@code A6_REQUEST_STATE_MAX_ENTRIES}: the most requests whose
 *     {@code RequestState} the runner keeps at once (default 16384; the oldest go first)
 * @param requestStateTtlSeconds {@code A6_REQUEST_STATE_TTL_SECONDS}: how long a request's state lives at
 *     most (default 120, twice APISIX's 60 s timeout)
 */
public record RunnerConfig(
        Path socket,
        long confExpireSeconds,
        int socketMode,
        int confCacheSize,
        long confCacheBytes,
        int maxConnections,
        long drainMillis,
        long callTimeoutMillis,
        boolean exitWithParent,
        String logLevel,
        Path logFile,
        int eventLoops,
        int dedicatedThreads,
        int workers,
        String metricsAddress,
        PeerPolicy allowedPeers,
        int requestStateMaxEntries,
        long requestStateTtlSeconds) {

    /** Reads the settings; a missing or malformed value gives a message saying what to set. */
    public static RunnerConfig fromEnvironment(Map<String, String> env) {
        String address = env.get("APISIX_LISTEN_ADDRESS");
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("APISIX_LISTEN_ADDRESS is not set: APISIX sets it when it starts the"
                    + " runner; to run by hand, set APISIX_LISTEN_ADDRESS=unix:/tmp/runner.sock");
        }
        if (!address.startsWith("unix:") || address.length() == 5) {
            throw new IllegalArgumentException("APISIX_LISTEN_ADDRESS must look like unix:/path/to/runner.sock, got \""
                    + address + "\"");
        }
        Path socket = Path.of(address.substring(5)).toAbsolutePath();
        return new RunnerConfig(
                socket,
                number(env, "APISIX_CONF_EXPIRE_TIME", 3600, 1, 365L * 24 * 3600),
                mode(env.getOrDefault("A6_SOCKET_MODE", "0766")),
                (int) number(env, "A6_CONF_CACHE_SIZE", 131072, 1, 1 << 24),
                bytes(env, "A6_CONF_CACHE_BYTES", Runtime.getRuntime().maxMemory() / 3),
                (int) number(env, "A6_MAX_CONNECTIONS", 4096, 1, 1 << 20),
                number(env, "A6_DRAIN_MS", 900, 0, 60_000),
                number(env, "A6_CALL_TIMEOUT_MS", 55_000, 0, 24L * 3600 * 1000),
                !"false".equalsIgnoreCase(env.getOrDefault("A6_EXIT_WITH_PARENT", "true")),
                env.getOrDefault("A6_LOG_LEVEL", "INFO"),
                logFile(env.get("A6_LOG_FILE")),
                (int) number(env, "A6_EVENT_LOOPS", Runtime.getRuntime().availableProcessors(), 1, 256),
                (int) number(env, "A6_DEDICATED_THREADS", 64, 0, 4096),
                (int) number(env, "A6_WORKERS", 512, 1, 1 << 16),
                blankToNull(env.get("A6_METRICS_ADDRESS")),
                PeerPolicy.fromEnvironment(env),
                (int) number(env, "A6_REQUEST_STATE_MAX_ENTRIES", RequestStates.DEFAULT_MAX_ENTRIES, 1, 1 << 24),
                number(env, "A6_REQUEST_STATE_TTL_SECONDS", RequestStates.DEFAULT_TTL_SECONDS, 1, 24L * 3600));
    }

    private static long number(Map<String, String> env, String name, long dflt, long min, long max) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return dflt;
        }
        try {
            long v = Long.parseLong(raw.trim());
            if (v < min || v > max) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + raw);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got \"" + raw + "\"", e);
        }
    }

    /** A size in bytes, with an optional k, m or g suffix (powers of 1024); at least 64 KiB. */
    private static long bytes(Map<String, String> env, String name, long dflt) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return dflt;
        }
        String v = raw.trim().toLowerCase(java.util.Locale.ROOT);
        int shift = v.endsWith("k") ? 10 : v.endsWith("m") ? 20 : v.endsWith("g") ? 30 : 0;
        try {
            long n = Long.parseLong(shift == 0 ? v : v.substring(0, v.length() - 1));
            if (n < 0 || n > (Long.MAX_VALUE >> shift) || (n << shift) < 64 * 1024) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a size of at least 64k, in bytes or with a k, m or g suffix"
                    + " (such as 16m), got \"" + raw + "\"", e);
        }
    }

    private static Path logFile(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return Path.of(raw.trim()).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("A6_LOG_FILE must be a file path, got \"" + raw + "\": " + e.getReason(), e);
        }
    }

    private static String blankToNull(String raw) {
        return raw == null || raw.isBlank() ? null : raw.trim();
    }

    private static int mode(String raw) {
        try {
            int m = Integer.parseInt(raw.trim(), 8);
            if (m < 0 || m > 0777) {
                throw new NumberFormatException();
            }
            return m;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("A6_SOCKET_MODE must be an octal file mode such as 0766 or 0760, got \""
                    + raw + "\"", e);
        }
    }

    /** How long a prepared conf lives. */
    public long confTtlSeconds() {
        return confExpireSeconds * 2;
    }
}
