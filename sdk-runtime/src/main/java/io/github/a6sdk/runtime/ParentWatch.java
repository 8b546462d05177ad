package io.github.a6sdk.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code A6_EXIT_WITH_PARENT}: notices when the process that started the runner (APISIX's
 * privileged agent) is gone. On Linux the parent's pid is read from {@code /proc/self/stat}, which
 * costs the start far less than {@link ProcessHandle}; elsewhere {@link ProcessHandle} answers.
 */
final class ParentWatch {
    private static final Path STAT = Path.of("/proc/self/stat");

    private ParentWatch() {}

    /** The parent's pid now, or -1 when unknown. 1 means the runner was started by a parent that has already exited. */
    static long parentPid() {
        try {
            String stat = new String(Files.readAllBytes(STAT), StandardCharsets.US_ASCII);
            // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 3);
            return Long.parseLong(rest[1]);
        } catch (IOException | RuntimeException e) {
            Optional<ProcessHandle> p = ProcessHandle.current().parent();
            return p.isPresent() ? p.get().pid() : -1;
        }
    }

    /**
     * Polls once a second, on a daemon thread; when the parent is no longer {@code ppid} (it exited and
     * the runner was re-parented), runs {@code onGone} once.
     */
    static void start(long ppid, Runnable onGone) {
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                long now = parentPid();
                if (now != ppid) {
                    onGone.run();
                    return;
                }
            }
        }, "a6-parent-watch");
        t.setDaemon(true);
        t.start();
    }
}
