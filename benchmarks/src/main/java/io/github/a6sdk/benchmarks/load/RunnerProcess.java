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
    final double startMillis;

    private RunnerProcess(Spec spec, Process process, Path socket, double startMillis) {
        this.spec = spec;
        this.process = process;
        this.socket = socket;
        this.startMillis = startMillis;
    }

    long pid() {
        return process.pid();
    }

    /** Starts the runner and waits until its socket accepts a connection. */
    static RunnerProcess start(Spec spec, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path socket = dir.resolve(spec.label() + ".sock");
        Files.deleteIfExists(socket);
        ProcessBuilder pb = new ProcessBuilder(spec.command());
        pb.environment().put("APISIX_LISTEN_ADDRESS", "unix:" + socket.toAbsolutePath());
        pb.environment().put("APISIX_CONF_EXPIRE_TIME", "3600");
        pb.environment().putAll(spec.env());
        pb.directory(dir.toFile()); // the Go runner writes ./logs/runner.log
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(spec.label() + ".log").toFile()));
        long t0 = System.nanoTime();
        Process p = pb.start();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            if (Files.exists(socket)) {
                try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    break;
                } catch (IOException notYet) {
                    // bound but not listening yet
                }
            }
            if (!p.isAlive()) {
                throw new IOException(spec.label() + " exited with " + p.exitValue() + " before its socket was ready; see "
                        + dir.resolve(spec.label() + ".log"));
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IOException(spec.label() + " did not open " + socket + " within 60 s");
            }
            try {
                Thread.sleep(0, 500_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        return new RunnerProcess(spec, p, socket, ms);
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
