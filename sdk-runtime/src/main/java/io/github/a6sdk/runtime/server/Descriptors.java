package io.github.a6sdk.runtime.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's open-files limit and use, from {@code /proc} (Linux; elsewhere both are unknown).
 * The JVM raises the soft limit to the hard one at start ({@code -XX:+MaxFDLimit}, on by default),
 * so the soft limit read here is all the runner can have; raising the hard limit is the operator's
 * ({@code ulimit -n}, systemd's {@code LimitNOFILE}).
 */
final class Descriptors {
    /** Descriptors kept for the plugins (their own files and sockets), the JVM and a refused connection's accept. */
    static final int RESERVE = 64;

    private Descriptors() {}

    /** The limit as read at start (reading it needs a descriptor, which may be what is missing later). */
    private static volatile long known = -2;

    /** The soft limit of open files, or -1 when unknown (or unlimited); read once, then remembered. */
    static long limit() {
        long l = known;
        if (l == -2) {
            known = l = readLimit();
        }
        return l;
    }

    private static long readLimit() {
        try {
            for (String line : new String(Files.readAllBytes(Path.of("/proc/self/limits")), StandardCharsets.US_ASCII)
                    .split("\n")) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split(" ", 2)[0];
                    return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /** The limit for a log line: the number, or "unknown". */
    static String limitText() {
        long l = limit();
        return l < 0 ? "unknown" : String.valueOf(l);
    }

    /** Descriptors open now, or -1 when unknown. */
    static int open() {
        int n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path ignored : fds) {
                n++;
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return n;
    }
}
