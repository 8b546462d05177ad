package io.github.a6sdk.runtime.dev;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One runner of {@code dev --watch}: {@code java -jar <snapshot>} on the gateway's socket path, as
 * APISIX would start it. Its log lines are passed on to the gateway's stderr, except the runner's own
 * INFO lines about starting and stopping (unless {@code A6_LOG_LEVEL} is set) and the warning that it
 * took the socket over, which is what a reload is.
 */
final class RunnerChild {
    /** How long a new runner may take to take the socket over. */
    static final long START_TIMEOUT_MILLIS = 60_000;
    /** The runner's start line: "... listening on /path ... with plugins [a, b]; ready ...". */
    private static final Pattern START_LINE = Pattern.compile(".* listening on .* with plugins \\[([^\\]]*)\\].*");
    /** A log record's first line ("2026-01-01T00:00:00Z INFO  [a6] ..."); other lines continue it. */
    private static final Pattern RECORD = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\S+ (ERROR|WARN |INFO |DEBUG) \\[a6( [^\\]]+)?\\] (.*)");

    final int build;
    final Path jar;
    private final Process process;
    private final Thread reader;
    private final Object lock = new Object();
    /** The plugins of the start line, once it was seen. */
    private String plugins;
    /** Why the runner did not start: its first ERROR line, or else the first line of what the JVM printed. */
    private String problem;
    private boolean problemIsError;

    private RunnerChild(int build, Path jar, Process process, PrintStream err, boolean showInfo) {
        this.build = build;
        this.jar = jar;
        this.process = process;
        this.reader = new Thread(() -> pump(err, showInfo), "a6-dev-runner-" + build);
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code java -jar jar} serving {@code socket}, with this process's environment and JVM. */
    static RunnerChild start(int build, Path jar, Path socket, List<String> jvmOptions, PrintStream err) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(jar.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        Map<String, String> env = pb.environment();
        boolean levelSet = env.get("A6_LOG_LEVEL") != null && !env.get("A6_LOG_LEVEL").isBlank();
        env.putAll(childEnvironment(socket, levelSet ? env.get("A6_LOG_LEVEL") : "INFO"));
        env.remove("A6_LOG_FILE"); // the dev loop logs to the terminal
        return new RunnerChild(build, jar, pb.start(), err, levelSet);
    }

    /** What the runner gets besides the environment: the socket, and it exits when the gateway does. */
    static Map<String, String> childEnvironment(Path socket, String logLevel) {
        Map<String, String> env = new HashMap<>();
        env.put("APISIX_LISTEN_ADDRESS", "unix:" + socket);
        env.put("A6_SOCKET_MODE", "0700");
        env.put("A6_EXIT_WITH_PARENT", "true");
        env.put("A6_LOG_LEVEL", logLevel);
        return env;
    }

    private void pump(PrintStream err, boolean showInfo) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            boolean showing = true;
            String line;
            while ((line = in.readLine()) != null) {
                Matcher start = START_LINE.matcher(line);
                Matcher record = RECORD.matcher(line);
                if (start.matches()) {
                    synchronized (lock) {
                        plugins = start.group(1);
                        lock.notifyAll();
                    }
                    showing = false;
                    continue;
                }
                if (record.matches()) {
                    String level = record.group(1).trim();
                    boolean runnerOwn = record.group(2) == null;
                    String message = record.group(3);
                    showing = !(runnerOwn && (level.equals("INFO") && !showInfo
                            || level.equals("WARN") && message.startsWith("took over ")));
                    if (level.equals("ERROR")) {
                        noteProblem(message, true);
                    }
                } else if (!line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
                    noteProblem(line, false); // the JVM's own: "Error: Invalid or corrupt jarfile", an exception
                }
                if (showing) {
                    err.println(line);
                }
            }
        } catch (IOException e) {
            // the runner is gone
        }
    }

    private void noteProblem(String line, boolean error) {
        synchronized (lock) {
            if (problem == null || error && !problemIsError) {
                problem = line;
                problemIsError = error;
            }
        }
    }

    /**
     * Waits until the runner serves the socket: its start line was logged, or (a log configured
     * elsewhere, such as a Logback file) the socket path became another file while the runner runs.
     *
     * @param before the socket file's identity before this runner started ({@code null}: none)
     * @return the plugins of its start line ("?" when the log did not show it)
     * @throws IOException saying why it did not start: its last error line and exit status, or the timeout
     */
    String awaitServing(Path socket, Object before, long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long socketChangedAt = 0;
        synchronized (lock) {
            while (true) {
                if (plugins != null) {
                    return plugins;
                }
                if (!process.isAlive()) {
                    break;
                }
                long now = System.nanoTime();
                Object key = fileKey(socket);
                if (key != null && !key.equals(before)) {
                    if (socketChangedAt == 0) {
                        socketChangedAt = now;
                    } else if (now - socketChangedAt > TimeUnit.MILLISECONDS.toNanos(500)) {
                        return "?"; // serving, with a log that does not come here
                    }
                }
                if (now > deadline) {
                    process.destroyForcibly();
                    throw new IOException("it did not take the socket over within " + timeoutMillis / 1000 + " s");
                }
                try {
                    lock.wait(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    process.destroyForcibly();
                    throw new IOException("interrupted", e);
                }
            }
        }
        try {
            process.waitFor(5, TimeUnit.SECONDS);
            reader.join(2000); // the last lines, which say why
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            throw new IOException("it exited with status " + process.exitValue() + (problem == null ? "" : ": " + problem));
        }
    }

    /** SIGTERM: the runner drains its calls (the socket is a newer runner's by now) and exits. */
    void stop() {
        process.destroy();
    }

    /** Stops the runner and waits for it, at most {@code millis}; then kills it. */
    void stopAndWait(long millis) {
        process.destroy();
        try {
            if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** Runs {@code then} once the runner has exited. */
    void onExit(Runnable then) {
        process.onExit().thenRun(then);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** The file's identity (device and inode), or {@code null} when there is none. */
    static Object fileKey(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            return null;
        }
    }
}
