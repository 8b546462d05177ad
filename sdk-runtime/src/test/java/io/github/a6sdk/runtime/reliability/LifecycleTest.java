package io.github.a6sdk.runtime.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.Runner;
import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.transport.JdkUnixTransport;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Signals, restarts, stale and live sockets, socket mode, parent death: on real processes. */
@Timeout(120)
class LifecycleTest {
    @TempDir Path dir;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void cleanUp() {
        pool.shutdownNow();
    }

    private static Reply.Stop call(Path sock, long token, ExtraInfoAnswers answers) throws IOException {
        try (ApisixClient c = ApisixClient.connect(sock)) {
            return assertInstanceOf(Reply.Stop.class, c.call(token, new CallRequest(), answers));
        }
    }

    @Test
    void sigtermKeepsThePathForAHandoverThenDrainsCallsInFlightRemovesTheSocketAndExitsZeroWithinOneSecond() throws Exception {
        Path sock = dir.resolve("term.sock");
        try (ChildRunner child = ChildRunner.start(sock, dir.resolve("term.log"), Map.of())) {
            child.awaitListening(sock);
            long slow = Harness.prepare(sock, "slow", "500");
            CountDownLatch running = new CountDownLatch(1);
            ExtraInfoAnswers answers = new ExtraInfoAnswers() {
                @Override
                public byte[] var(String name) {
                    running.countDown();
                    return super.var(name);
                }
            };
            // Two calls in flight on two connections, plus an idle pooled connection.
            CountDownLatch running2 = new CountDownLatch(1);
            ExtraInfoAnswers answers2 = new ExtraInfoAnswers() {
                @Override
                public byte[] var(String name) {
                    running2.countDown();
                    return super.var(name);
                }
            };
            Future<Reply.Stop> inFlight = pool.submit(() -> call(sock, slow, answers));
            Future<Reply.Stop> inFlight2 = pool.submit(() -> call(sock, slow, answers2));
            try (ApisixClient idle = ApisixClient.connect(sock)) {
                assertTrue(running.await(10, TimeUnit.SECONDS) && running2.await(10, TimeUnit.SECONDS), "calls did not start");
                long signalled = System.nanoTime();
                child.process.destroy(); // SIGTERM
                // No newer runner takes the path over: the runner keeps serving it for all of A6_DRAIN_MS but
                // 200 ms (a newer runner may still be starting), then removes it.
                Harness.assertServes(sock);
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2000);
                while (Files.exists(sock) && System.nanoTime() < deadline) {
                    Thread.sleep(2);
                }
                assertFalse(Files.exists(sock), "socket file still there after SIGTERM");
                assertThrows(IOException.class, () -> ApisixClient.connect(sock), "new connections must be refused");
                assertEquals("slow-done", inFlight.get(5, TimeUnit.SECONDS).bodyAsString());
                assertEquals("slow-done", inFlight2.get(5, TimeUnit.SECONDS).bodyAsString());
                assertTrue(child.process.waitFor(5, TimeUnit.SECONDS), "runner still running after SIGTERM");
                long tookMillis = (System.nanoTime() - signalled) / 1_000_000;
                assertEquals(0, child.process.exitValue(), child.output());
                assertTrue(tookMillis < 1000, "runner took " + tookMillis + " ms to exit; APISIX kills it after 1 s");
                assertFalse(Files.exists(sock), "socket file left behind");
                assertThrows(IOException.class, () -> ApisixClient.connect(sock), "new connections must be refused");
                // The idle connection was closed by the runner.
                assertThrows(IOException.class, () -> idle.prepareConf("k", List.of()));
            }
            String out = child.output();
            assertTrue(out.contains("SIGTERM: draining calls in flight and stopping"), out);
            assertTrue(out.contains("stopped"), out);
        }
    }

    @Test
    void sigtermDuringLoadClosesEveryCloseablePluginOnceAfterTheCallsInFlightAndExitsZeroWithinOneSecond()
            throws Exception {
        Path sock = dir.resolve("load.sock");
        // "stuck" hangs in close for 10 s: the runner gives up on it (after at most 200 ms) and still exits 0 in time.
        try (ChildRunner child = ChildRunner.start(sock, dir.resolve("load.log"),
                Map.of("A6_DRAIN_MS", "400", "A6_PLUGIN_STUCK_CLOSE_MS", "10000"))) {
            child.awaitListening(sock);
            long token = Harness.prepare(sock, "counted", "3");
            int clients = 8;
            AtomicInteger answered = new AtomicInteger();
            CountDownLatch loaded = new CountDownLatch(clients * 5);
            List<Future<?>> load = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                load.add(pool.submit(() -> {
                    // Calls back to back on one connection until the runner closes it after a reply.
                    try (ApisixClient c = ApisixClient.connect(sock)) {
                        while (true) {
                            Reply r = c.call(token, new CallRequest(), new ExtraInfoAnswers());
                            if (r instanceof Reply.Error e && e.code() == io.github.a6sdk.runtime.protocol.Rpc.ERR_CONF_TOKEN_NOT_FOUND) {
                                return null; // the goodbye a draining runner sends behind its last reply
                            }
                            Reply.Stop stop = assertInstanceOf(Reply.Stop.class, r);
                            assertEquals("counted", stop.bodyAsString());
                            answered.incrementAndGet();
                            loaded.countDown();
                        }
                    } catch (IOException closedByTheRunner) {
                        return null;
                    }
                }));
            }
            assertTrue(loaded.await(20, TimeUnit.SECONDS), "load did not start");
            long signalled = System.nanoTime();
            child.process.destroy(); // SIGTERM
            assertTrue(child.process.waitFor(5, TimeUnit.SECONDS), "runner still running after SIGTERM");
            long tookMillis = (System.nanoTime() - signalled) / 1_000_000;
            for (Future<?> f : load) {
                f.get(5, TimeUnit.SECONDS); // every client saw only full answers, then the close
            }
            String out = child.output();
            assertEquals(0, child.process.exitValue(), out);
            assertTrue(tookMillis < 1000, "runner took " + tookMillis + " ms to exit; APISIX kills it after 1 s\n" + out);
            List<String> closedLines = out.lines().filter(l -> l.contains("[a6 counted] closed:")).toList();
            assertEquals(List.of("closed: calls in flight 0, calls completed " + answered.get()),
                    closedLines.stream().map(l -> l.substring(l.indexOf("closed:"))).toList(), out);
            assertTrue(out.contains("plugin \"stuck\" (reliability.stuck) did not close within "), out);
            // The close came after the drain, and the runner said it stopped after closing.
            assertTrue(out.indexOf("[a6 counted] closed:") > out.indexOf("SIGTERM: draining"), out);
            assertTrue(out.indexOf("INFO  [a6] stopped") > out.indexOf("[a6 counted] closed:"), out);
        }
    }

    @Test
    void aStartHookThatFailsStopsTheStartWithOneLineAndExitStatus1BeforeTheSocketIsBound() throws Exception {
        Path sock = dir.resolve("fail.sock");
        try (ChildRunner child = ChildRunner.start(sock, dir.resolve("fail.log"),
                Map.of("A6_PLUGIN_COUNTED_FAIL", "cannot reach db:5432"))) {
            assertTrue(child.process.waitFor(30, TimeUnit.SECONDS), "runner did not exit");
            String out = child.output();
            assertEquals(1, child.process.exitValue(), out);
            List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
            assertEquals(1, lines.size(), out);
            assertTrue(lines.get(0).endsWith(" ERROR [a6] cannot start: plugin \"counted\" (reliability.counted) failed"
                    + " to start: java.io.IOException: cannot reach db:5432"), out);
            assertFalse(Files.exists(sock), "the socket must not be bound when a start hook fails");
        }
    }

    @Test
    void sigkillThenRestartOnTheSamePathReplacesTheStaleSocket() throws Exception {
        Path sock = dir.resolve("kill.sock");
        Path log = dir.resolve("kill.log");
        try (ChildRunner first = ChildRunner.start(sock, log, Map.of())) {
            first.awaitListening(sock);
            Harness.prepare(sock, "echo", "first");
            first.process.destroyForcibly(); // SIGKILL
            assertTrue(first.process.waitFor(10, TimeUnit.SECONDS));
            assertEquals(137, first.process.exitValue());
        }
        assertTrue(Files.exists(sock), "a killed runner cannot remove its socket file: the test needs a stale one");
        assertFalse(JdkUnixTransport.isLive(sock));
        try (ChildRunner second = ChildRunner.start(sock, log, Map.of())) {
            second.awaitListening(sock);
            long token = Harness.prepare(sock, "echo", "second");
            assertEquals("second", call(sock, token, new ExtraInfoAnswers()).bodyAsString());
            assertTrue(second.output().contains("replaced stale socket file " + sock), second.output());
            second.process.destroy();
            assertTrue(second.process.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, second.process.exitValue());
        }
    }

    @Test
    void aStaleSocketFileIsReplaced() throws Exception {
        Path sock = dir.resolve("stale.sock");
        ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        old.bind(UnixDomainSocketAddress.of(sock));
        old.close(); // the JDK leaves the file: a stale socket
        assertTrue(Files.exists(sock));
        try (Harness.LogCapture log = new Harness.LogCapture();
                Runner runner = Harness.start(sock, Harness.withEcho(), Map.of())) {
            Harness.assertServes(sock);
            assertTrue(log.contains("replaced stale socket file"), log.messages().toString());
        }
        assertFalse(Files.exists(sock), "socket file left after shutdown");
    }

    @Test
    void aMissingFolderIsNamedInTheStartError() {
        Path sock = dir.resolve("no-such-dir").resolve("x.sock");
        IOException e = assertThrows(IOException.class, () -> Harness.start(sock, Harness.withEcho(), Map.of()));
        assertTrue(e.getMessage().contains("cannot listen on " + sock + " (APISIX_LISTEN_ADDRESS): the folder "
                + sock.getParent() + " does not exist"), e.getMessage());
    }

    @Test
    void aFileThatIsNotASocketIsNeverDeleted() throws Exception {
        Path notSocket = dir.resolve("precious.txt");
        Files.writeString(notSocket, "keep me");
        IOException e = assertThrows(IOException.class, () -> Harness.start(notSocket, Harness.withEcho(), Map.of()));
        assertTrue(e.getMessage().contains("is not a socket"), e.getMessage());
        assertEquals("keep me", Files.readString(notSocket));
    }

    @Test
    void socketModeDefaultsTo0766AndFollowsA6SocketMode() throws Exception {
        Path sock = dir.resolve("mode.sock");
        try (Runner runner = Harness.start(sock, Harness.withEcho(), Map.of())) {
            assertEquals("rwxrw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
        }
        try (Runner runner = Harness.start(sock, Harness.withEcho(), Map.of("A6_SOCKET_MODE", "0760"))) {
            assertEquals("rwxrw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
            Harness.assertServes(sock);
        }
        assertThrows(IllegalArgumentException.class,
                () -> Harness.start(sock, Harness.withEcho(), Map.of("A6_SOCKET_MODE", "0999")));
    }

    @Test
    void theRunnerExitsWhenItsParentDies() throws Exception {
        Path sock = dir.resolve("orphan.sock");
        Path log = dir.resolve("orphan.log");
        // sh starts the runner in the background and prints its pid; killing sh orphans the runner.
        StringBuilder cmd = new StringBuilder();
        for (String part : ChildRunner.command(ChildRunner.SMALL_JVM)) {
            cmd.append('\'').append(part.replace("'", "'\\''")).append("' ");
        }
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", cmd + "& echo $! > '" + dir.resolve("pid") + "'; wait");
        pb.environment().put("APISIX_LISTEN_ADDRESS", "unix:" + sock);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process parent = pb.start();
        ProcessHandle runner = null;
        try {
            ChildRunner.awaitListening(sock, parent, 30_000);
            long pid = Long.parseLong(Files.readString(dir.resolve("pid")).trim());
            runner = ProcessHandle.of(pid).orElseThrow();
            assertEquals(parent.pid(), runner.parent().orElseThrow().pid());
            Harness.assertServes(sock);
            parent.destroyForcibly(); // SIGKILL: no chance to pass anything on
            parent.waitFor();
            CompletableFuture<ProcessHandle> exited = runner.onExit();
            exited.get(10, TimeUnit.SECONDS);
            assertFalse(runner.isAlive());
            assertFalse(Files.exists(sock), "orphaned runner left its socket file");
            String out = Files.readString(log);
            assertTrue(out.contains("parent process is gone: stopping"), out);
        } finally {
            parent.destroyForcibly();
            if (runner != null && runner.isAlive()) {
                runner.destroyForcibly();
            }
        }
    }
}
