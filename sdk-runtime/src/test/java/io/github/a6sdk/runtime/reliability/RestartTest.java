package io.github.a6sdk.runtime.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.Runner;
import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Restarts and reloads: conf tokens of an earlier runner never name a chain of the next one, and
 * a newer runner takes the socket over while the old one still serves (APISIX reload), with the
 * path served throughout and the old runner's calls finished.
 */
@Timeout(120)
class RestartTest {
    @TempDir Path dir;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void cleanUp() {
        pool.shutdownNow();
    }

    private static long prepare(Path sock, String key, String body) throws IOException {
        try (ApisixClient c = ApisixClient.connect(sock)) {
            return assertInstanceOf(Reply.Token.class, c.prepareConf(key, List.of(Field.of("echo", body)))).token();
        }
    }

    private static Reply call(ApisixClient c, long token) throws IOException {
        return c.call(token, new CallRequest().id(7).path("/"), new ExtraInfoAnswers());
    }

    private static Object fileKey(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    @Test
    void tokensOfAnEarlierRunnerAreNotFoundInTheNextOne() throws Exception {
        Path sock = dir.resolve("tokens.sock");
        long[] old = new long[32];
        try (Runner a = Harness.start(sock, Harness.withEcho(), Map.of())) {
            for (int i = 0; i < old.length; i++) {
                old[i] = prepare(sock, "route#" + i + "#ext-plugin-pre-req#1", "old-" + i);
            }
        }
        try (Runner b = Harness.start(sock, Harness.withEcho(), Map.of())) {
            for (int i = 0; i < 32; i++) {
                prepare(sock, "route#" + (100 + i) + "#ext-plugin-pre-req#1", "new-" + i);
            }
            try (ApisixClient c = ApisixClient.connect(sock)) {
                for (long token : old) {
                    Reply r = call(c, token);
                    assertEquals(new Reply.Error(Rpc.ERR_CONF_TOKEN_NOT_FOUND), r,
                            "token " + token + " of the earlier runner was answered with " + r);
                }
            }
        }
    }

    @Test
    void aNewerRunnerTakesTheSocketOverWhileTheOldOneFinishesItsConnections() throws Exception {
        Path sock = dir.resolve("handover.sock");
        try (Harness.LogCapture log = new Harness.LogCapture();
                Runner a = Harness.start(sock, Harness.withEcho(), Map.of());
                ApisixClient pooled = ApisixClient.connect(sock)) {
            long tokenA = prepare(sock, "route#1#ext-plugin-pre-req#1", "from-a");
            Object keyA = fileKey(sock);
            try (Runner b = Harness.start(sock, Harness.withEcho(), Map.of())) {
                assertNotEquals(keyA, fileKey(sock), "the path is the newer runner's socket");
                assertTrue(log.contains("took over " + sock + " from a runner that is still serving it"), log.messages().toString());
                assertTrue(!a.ownsSocketPath() && b.ownsSocketPath());
                // New connections reach B: A's token is unknown there, B's own works.
                try (ApisixClient fresh = ApisixClient.connect(sock)) {
                    assertEquals(new Reply.Error(Rpc.ERR_CONF_TOKEN_NOT_FOUND), call(fresh, tokenA));
                }
                long tokenB = prepare(sock, "route#1#ext-plugin-pre-req#1", "from-b");
                try (ApisixClient fresh = ApisixClient.connect(sock)) {
                    assertEquals("from-b", assertInstanceOf(Reply.Stop.class, call(fresh, tokenB)).bodyAsString());
                }
                // A's pooled connection is still A's.
                assertEquals("from-a", assertInstanceOf(Reply.Stop.class, call(pooled, tokenA)).bodyAsString());
                a.shutdown(400);
                assertTrue(log.contains(sock + " now belongs to a newer runner"), log.messages().toString());
                assertTrue(Files.exists(sock), "the stopping runner removed the newer runner's socket");
                Harness.assertServes(sock);
            }
        }
    }

    @Test
    void aDrainingRunnersLastReplyOnAConnectionCarriesTheGoodbyeFrame() throws Exception {
        // The goodbye leaves in the same write as the reply, so APISIX finds unread data and never pools
        // the connection again: no race between the runner's close and APISIX's next call on it.
        Path sock = dir.resolve("goodbye.sock");
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TestPlugin held = TestPlugin.request("held", (c, req, resp) -> {
            running.countDown();
            release.await();
            resp.setStatus(200);
            resp.setBody("done".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        });
        try (Runner a = Harness.start(sock, Harness.withEcho(held), Map.of());
                Harness.Raw raw = new Harness.Raw(sock)) {
            long token = Harness.prepare(sock, "held", "");
            raw.send(Rpc.HTTP_REQ_CALL, Harness.reqCallPayload(4, token, "/", List.of(), List.of()));
            assertTrue(running.await(10, TimeUnit.SECONDS));
            // A call in flight is traffic: the runner holds its path until 150 ms before the end of its drain.
            Future<?> stop = pool.submit(() -> a.shutdown(600));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (Files.exists(sock) && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(!Files.exists(sock), "the runner let go of its path while the call ran");
            // The runner removes its file, closes its listener, then turns to closing its connections; give
            // it that moment before the call in flight may end (an ordering wait, not a measurement).
            Thread.sleep(50);
            release.countDown();
            Harness.Frame reply = raw.read(5000);
            assertEquals(Rpc.HTTP_REQ_CALL, reply.type(), "the call in flight is answered");
            Harness.Frame goodbye = raw.read(5000);
            assertEquals(Rpc.ERR_CONF_TOKEN_NOT_FOUND, goodbye.errorCode(), "the goodbye follows the reply");
            assertTrue(raw.closedWithin(5000), "then the runner closes the connection");
            stop.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void anIdlePooledConnectionGetsTheGoodbyeAndACallWrittenAfterItIsNeverAnswered() throws Exception {
        // What nginx sees on a pooled connection of a stopping runner: the goodbye arrives on its own (nginx
        // drops a pooled connection that becomes readable), then end-of-file. A client that took the connection
        // in that instant and wrote a call reads the goodbye as its answer: CONF_TOKEN_NOT_FOUND, on which
        // APISIX tries again elsewhere. The runner never answers that call (its answer would follow the goodbye).
        Path sock = dir.resolve("idle-goodbye.sock");
        try (Runner a = Harness.start(sock, Harness.withEcho(), Map.of());
                Harness.Raw pooled = new Harness.Raw(sock)) {
            long token = Harness.prepare(sock, "echo", "x");
            pooled.send(Rpc.HTTP_REQ_CALL, Harness.reqCallPayload(1, token, "/", List.of(), List.of()));
            assertEquals(Rpc.HTTP_REQ_CALL, pooled.read(5000).type());
            Future<?> stop = pool.submit(() -> a.shutdown(5000));
            Harness.Frame goodbye = pooled.read(5000);
            assertEquals(Rpc.ERR_CONF_TOKEN_NOT_FOUND, goodbye.errorCode(), "an idle connection gets the goodbye");
            pooled.send(Rpc.HTTP_REQ_CALL, Harness.reqCallPayload(2, token, "/", List.of(), List.of()));
            assertEquals(null, pooled.read(5000), "end-of-file, and no answer to the call written after the goodbye");
            assertTrue(a.isStopping());
            pooled.close(); // the client closes, as nginx's pool does
            stop.get(10, TimeUnit.SECONDS);
            assertTrue(a.awaitStopped(0));
            assertTrue(!Files.exists(sock));
        }
    }

    @Test
    void anIdleRunnerStopsAtOnce() throws Exception {
        // No traffic and no newer runner (APISIX stopping, or reloading with nothing to serve): nothing to hold
        // the path for. Told it may take a minute, it still stops as soon as its connections are retired.
        Path sock = dir.resolve("idle.sock");
        try (Harness.LogCapture log = new Harness.LogCapture();
                Runner a = Harness.start(sock, Harness.withEcho(), Map.of())) {
            Harness.assertServes(sock);
            Thread.sleep(Runner.QUIET_MILLIS + 50);
            Future<?> stop = pool.submit(() -> a.shutdown(60_000));
            stop.get(10, TimeUnit.SECONDS);
            assertTrue(!Files.exists(sock));
            assertTrue(log.contains("no call for " + Runner.QUIET_MILLIS + " ms"), log.messages().toString());
        }
    }

    @Test
    void aStoppingRunnerWithTrafficKeepsServingItsPathUntilANewerRunnerTakesItOver() throws Exception {
        Path sock = dir.resolve("gap.sock");
        try (Harness.LogCapture log = new Harness.LogCapture();
                Runner a = Harness.start(sock, Harness.withEcho(), Map.of());
                PooledApisix load = new PooledApisix(sock, "echo", "hi", "hi", 2).start()) {
            Object keyA = fileKey(sock);
            Thread.sleep(100);
            Future<?> stop = pool.submit(() -> a.shutdown(60_000));
            Thread.sleep(300);
            // SIGTERM came before the newer runner bound, and calls keep coming: the path is still A's, served.
            assertTrue(a.isStopping());
            assertTrue(Files.exists(sock), "A let go of its path while calls kept coming: " + log.messages());
            assertEquals(keyA, fileKey(sock));
            Harness.assertServes(sock);
            try (Runner b = Harness.start(sock, Harness.withEcho(), Map.of())) {
                stop.get(10, TimeUnit.SECONDS); // A noticed the takeover long before its minute
                assertTrue(a.awaitStopped(0));
                assertNotEquals(keyA, fileKey(sock));
                Harness.assertServes(sock);
                load.stop();
                assertTrue(load.failures.isEmpty(), load.failures.toString());
                assertTrue(load.ok.get() > 0);
                assertTrue(log.contains("a newer runner has taken the path over"), log.messages().toString());
            }
        }
    }

    /**
     * The reload the issue measured as losing calls: runner B binds its socket 0.5 s after A got
     * SIGTERM, while an APISIX-like client keeps calling. A serves its path until B has it, and retires
     * its pooled connections so that no call of the client fails (a raced one is retried, as APISIX does).
     */
    @Test
    void aNewerRunnerThatBindsHalfASecondAfterTheSigtermLosesNoCall() throws Exception {
        Path sock = dir.resolve("late.sock");
        Path gate = dir.resolve("gate");
        try (ChildRunner a = ChildRunner.start(sock, dir.resolve("a.log"), Map.of())) {
            a.awaitListening(sock);
            Object keyA = fileKey(sock);
            try (PooledApisix load = new PooledApisix(sock, "echo", "e", "e", 4).start();
                    ChildRunner b = ChildRunner.start(sock, dir.resolve("b.log"), Map.of("A6_TEST_BIND_GATE", gate.toString()))) {
                Thread.sleep(1500); // B's JVM is up and waits for the gate to bind
                assertEquals(keyA, fileKey(sock), "B bound before its gate opened");
                int before = load.ok.get();
                a.process.destroy(); // SIGTERM
                Thread.sleep(500);
                Files.createFile(gate);
                assertTrue(a.process.waitFor(5, TimeUnit.SECONDS), a.output());
                assertEquals(0, a.process.exitValue(), a.output());
                Thread.sleep(300);
                load.stop();
                assertNotEquals(keyA, fileKey(sock), "the path is B's");
                assertTrue(load.failures.isEmpty(), load.failures.size() + " failed calls, e.g. "
                        + load.failures.subList(0, Math.min(5, load.failures.size())) + "\nA: " + a.output() + "\nB: " + b.output());
                assertTrue(load.ok.get() > before + 100, "too few calls during the reload: " + (load.ok.get() - before));
                assertTrue(a.output().contains("a newer runner has taken the path over"), a.output());
            }
        }
    }

    /**
     * The reload sequence on real processes: B starts on A's path while A serves under load, A gets
     * SIGTERM {@code overlapMillis} later (APISIX's old agent), and is killed 1 s after that if it
     * is still there. Throughout, a new connection every millisecond must be answered, and A's
     * pooled connections must finish their calls.
     */
    @ParameterizedTest(name = "SIGTERM {0} ms after the newer runner starts")
    @ValueSource(ints = {100, 1000})
    void reloadOverlapServesThePathThroughout(int overlapMillis) throws Exception {
        Path sock = dir.resolve("reload.sock");
        try (ChildRunner a = ChildRunner.start(sock, dir.resolve("a.log"), Map.of())) {
            a.awaitListening(sock);
            Object keyA = fileKey(sock);
            long echoA = Harness.prepare(sock, "echo", "a");
            long slowA = Harness.prepare(sock, "slow", "300");

            AtomicBoolean probing = new AtomicBoolean(true);
            AtomicInteger probes = new AtomicInteger();
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicLong lastOk = new AtomicLong(System.nanoTime());
            AtomicLong longestGap = new AtomicLong();
            Future<?> prober = pool.submit(() -> {
                while (probing.get()) {
                    try (ApisixClient c = ApisixClient.connect(sock)) {
                        Reply r = c.prepareConf("route#9#ext-plugin-pre-req#1", List.of(Field.of("echo", "probe")));
                        if (r instanceof Reply.Token t) {
                            Reply answer = c.call(t.token(), new CallRequest(), new ExtraInfoAnswers());
                            if (!(answer instanceof Reply.Stop s && s.bodyAsString().equals("probe"))) {
                                failures.add("wrong answer " + answer);
                            }
                        } else {
                            failures.add("PrepareConf answered " + r);
                        }
                        long now = System.nanoTime();
                        longestGap.accumulateAndGet(now - lastOk.getAndSet(now), Math::max);
                        probes.incrementAndGet();
                    } catch (IOException e) {
                        failures.add(e.toString());
                    }
                    Thread.sleep(1);
                }
                return null;
            });
            ApisixClient slowConn = ApisixClient.connect(sock);
            CountDownLatch running = new CountDownLatch(1);
            // A's pooled connection keeps calling with A's token until A closes it after a reply.
            ApisixClient pooled = ApisixClient.connect(sock);
            AtomicInteger pooledCalls = new AtomicInteger();
            Future<String> pooledUser = pool.submit(() -> {
                try {
                    while (true) {
                        Reply r = call(pooled, echoA);
                        if (r instanceof Reply.Error e && e.code() == Rpc.ERR_CONF_TOKEN_NOT_FOUND) {
                            return "goodbye"; // the frame a draining runner sends behind its last reply
                        }
                        if (!(r instanceof Reply.Stop s && s.bodyAsString().equals("a"))) {
                            return "pooled call answered " + r;
                        }
                        pooledCalls.incrementAndGet();
                    }
                } catch (IOException e) {
                    return "ended: " + e;
                }
            });

            try (ChildRunner b = ChildRunner.start(sock, dir.resolve("b.log"), Map.of())) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (keyA.equals(fileKey(sock)) && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                Thread.sleep(overlapMillis);
                // A call in flight on A (on a connection opened before the takeover) when it is told to stop.
                Future<Reply> slowCall = pool.submit(() -> slowConn.call(slowA, new CallRequest().id(8), new ExtraInfoAnswers() {
                    @Override
                    public byte[] var(String name) {
                        running.countDown();
                        return super.var(name);
                    }
                }));
                assertTrue(running.await(10, TimeUnit.SECONDS));
                long signalled = System.nanoTime();
                a.process.destroy(); // SIGTERM
                boolean exited = a.process.waitFor(1, TimeUnit.SECONDS);
                long tookMillis = (System.nanoTime() - signalled) / 1_000_000;
                assertTrue(exited, "A still running 1 s after SIGTERM; APISIX would kill it. Output:\n" + a.output());
                assertEquals(0, a.process.exitValue(), a.output());
                assertTrue(tookMillis < 1000, "A took " + tookMillis + " ms");
                assertEquals("slow-done", assertInstanceOf(Reply.Stop.class, slowCall.get(5, TimeUnit.SECONDS)).bodyAsString());
                Thread.sleep(200);
                probing.set(false);
                prober.get(10, TimeUnit.SECONDS);
                assertTrue(failures.isEmpty(), failures.size() + " of " + (probes.get() + failures.size())
                        + " probes failed: " + failures.subList(0, Math.min(5, failures.size())));
                assertTrue(probes.get() > 50, "too few probes: " + probes.get());
                String pooledEnd = pooledUser.get(5, TimeUnit.SECONDS);
                // A retired its pooled connection: the last reply came with the goodbye frame behind it (read
                // here as the next call's answer), or the connection was already closed when the next call
                // was written; a client like nginx's pool never reuses it.
                assertTrue(pooledEnd.equals("goodbye") || pooledEnd.startsWith("ended"), pooledEnd);
                assertTrue(pooledCalls.get() > 0);
                assertTrue(Files.exists(sock), "the socket file is gone");
                assertNotEquals(keyA, fileKey(sock));
                Harness.assertServes(sock);
                assertTrue(a.output().contains("now belongs to a newer runner"), a.output());
                assertTrue(b.output().contains("took over " + sock), b.output());
                assertTrue(b.process.isAlive());
            } finally {
                probing.set(false);
                pooled.close();
                slowConn.close();
            }
        }
    }
}
