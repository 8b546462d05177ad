package io.github.a6sdk.runtime.reliability;

import io.github.a6sdk.runtime.transport.JdkUnixTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A runner in its own JVM ({@link ChildRunnerMain}), with its output in a file. */
final class ChildRunner implements AutoCloseable {
    static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    static final List<String> SMALL_JVM = List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");

    final Process process;
    final Path log;

    private ChildRunner(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static List<String> command(List<String> jvmArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(JAVA);
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ChildRunnerMain.class.getName());
        return cmd;
    }

    static ChildRunner start(Path sock, Path log, Map<String, String> env) throws IOException {
        return start(sock, log, env, command(SMALL_JVM));
    }

    static ChildRunner start(Path sock, Path log, Map<String, String> env, List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("APISIX_LISTEN_ADDRESS", "unix:" + sock);
        pb.environment().put("A6_LOG_LEVEL", "INFO");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return new ChildRunner(pb.start(), log);
    }

    /** Waits until the socket accepts connections. */
    static void awaitListening(Path sock, Process process, long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(sock) && JdkUnixTransport.isLive(sock)) {
                return;
            }
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException("runner exited with " + process.exitValue() + " before listening");
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("runner not listening on " + sock + " after " + millis + " ms");
    }

    void awaitListening(Path sock) throws Exception {
        try {
            awaitListening(sock, process, 30_000);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "; output:\n" + output(), e);
        }
    }

    String output() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
