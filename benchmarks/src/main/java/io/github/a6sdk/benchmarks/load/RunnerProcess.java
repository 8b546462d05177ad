package io.github.a6sdk.benchmarks.load;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A runner started the way APISIX starts one: environment variables, no arguments of ours. */
final class RunnerProcess implements AutoCloseable {
    /** How to start one runner. */
    record Spec(String label, List<String> command, Map<String, String> env, Path artifact) {}

    final Spec spec;
    final Process process;
    final Path socket;
    final Path log;
    final long launchedNanos;
    double startMillis = Double.NaN;

    private RunnerProcess(Spec spec, Process process, Path socket, Path log, long launchedNanos) {
        this.spec = spec;
        this.process = process;
        this.socket = socket;
        this.log = log;
        this.launchedNanos = launchedNanos;
    }

    long pid() {
        return process.pid();
    }

    /** Starts the runner on {@code <dir>/<label>.sock} and waits until its socket accepts a connection. */
    static RunnerProcess start(Spec spec, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path socket = dir.resolve(spec.label() + ".sock");
        Files.deleteIfExists(socket);
        return launch(spec, dir, socket, spec.label()).awaitReady(60_000);
    }

    /**
     * Starts the runner on {@code socket} without waiting and without touching what is at that path
     * (the overlap cell starts a second runner on a path the first one still serves). Output goes to
     * {@code <dir>/<logName>.log}.
     */
    static RunnerProcess launch(Spec spec, Path dir, Path socket, String logName) throws IOException {
        Files.createDirectories(dir);
        ProcessBuilder pb = new ProcessBuilder(spec.command());
        pb.environment().put("APISIX_LISTEN_ADDRESS", "unix:" + socket.toAbsolutePath());
        pb.environment().put("APISIX_CONF_EXPIRE_TIME", "3600");
        pb.environment().putAll(spec.env());
        pb.directory(dir.toFile()); // the Go runner writes ./logs/runner.log
        pb.redirectErrorStream(true);
        Path log = dir.resolve(logName + ".log");
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        long t0 = System.nanoTime();
        return new RunnerProcess(spec, pb.start(), socket, log, t0);
    }

    /** Waits until the socket accepts a connection; sets {@link #startMillis}. */
    RunnerProcess awaitReady(long timeoutMillis) throws IOException {
        long deadline = launchedNanos + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            if (Files.exists(socket)) {
                try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    break;
                } catch (IOException notYet) {
                    // bound but not listening yet, or a stale file
                }
            }
            if (!process.isAlive()) {
                throw new IOException(spec.label() + " exited with " + process.exitValue() + " before its socket was ready; see "
                        + log);
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IOException(spec.label() + " did not open " + socket + " within " + timeoutMillis + " ms");
            }
            try {
                Thread.sleep(0, 500_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        startMillis = (System.nanoTime() - launchedNanos) / 1e6;
        return this;
    }

    /** The last non-blank line of this process's output, or "" (for the report of a runner that exited). */
    String lastLogLine() {
        try {
            List<String> lines = Files.readAllLines(log);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return lines.get(i).trim();
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // no output
        }
        return "";
    }

    long rssKb() {
        return ProcStat.statusKb(pid(), "VmRSS");
    }

    long peakRssKb() {
        return ProcStat.statusKb(pid(), "VmHWM");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // the official runner leaves it behind; nothing else to do
        }
    }
}
