package io.github.a6sdk.transport.jnr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.api.RequestFilter;
import io.github.a6sdk.api.ResponseFilter;
import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.api.spi.PluginRegistry;
import io.github.a6sdk.runtime.PluginCatalog;
import io.github.a6sdk.runtime.Runner;
import io.github.a6sdk.runtime.RunnerConfig;
import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shutdown over jnr-unixsocket behaves as over the JDK transport: the runtime half-closes idle
 * connections (jnr's channel is a {@link SocketChannel}, so {@code shutdownInput} reaches the socket),
 * drains a call in flight, and closing the listener wakes the acceptor blocked in accept(2). The
 * shared protocol tests close their clients before the runner, so they do not cover this.
 */
@Timeout(30)
class JnrShutdownTest {
    @TempDir Path dir;

    /**
     * The test's own threads: the call in flight blocks one for seconds. Not the default executor of
     * {@code CompletableFuture.*Async}: from JDK 25 that is always the common pool, whose parallelism
     * is the CPU count minus one, so on a 2-core machine the blocked call starved the
     * {@code runner.close()} and the end-of-stream read queued behind it (the test timed out; the
     * runner was never asked to stop). Up to JDK 24 a parallelism of 1 meant a thread per task.
     */
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    private static final CountDownLatch ENTERED = new CountDownLatch(1);
    private static final CountDownLatch RELEASE = new CountDownLatch(1);

    /** "slow": signals it started, waits for RELEASE, then stops with 200. */
    private static final PluginDescriptor<String> SLOW = new PluginDescriptor<>() {
        private final RequestFilter<String> filter = (config, request, response) -> {
            ENTERED.countDown();
            try {
                RELEASE.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            response.setStatus(200);
            response.setBody("drained");
        };

        @Override public String name() { return "slow"; }
        @Override public String className() { return "test.Slow"; }
        @Override public String configType() { return "java.lang.String"; }
        @Override public List<String> prefetchVars() { return List.of(); }
        @Override public boolean prefetchRequestBody() { return false; }
        @Override public boolean prefetchResponseBody() { return false; }
        @Override public RequestFilter<String> requestFilter() { return filter; }
        @Override public ResponseFilter<String> responseFilter() { return null; }
        @Override public String parseConfig(String json) { return json; }
        @Override public String configSchema() { return "{}"; }
    };

    private static final PluginRegistry REGISTRY = new PluginRegistry() {
        @Override public List<PluginDescriptor<?>> plugins() { return List.of(SLOW); }
        @Override public PluginDescriptor<?> find(String name) { return "slow".equals(name) ? SLOW : null; }
    };

    private static Set<Thread> acceptors() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("a6-acceptor") && t.isAlive())
                .collect(Collectors.toSet());
    }

    @Test
    void shutdownEndsIdleConnectionsDrainsCallsInFlightAndStopsTheAcceptor() throws Exception {
        Path sock = dir.resolve("jnr.sock");
        RunnerConfig config = RunnerConfig.fromEnvironment(Map.of(
                "APISIX_LISTEN_ADDRESS", "unix:" + sock, "A6_DRAIN_MS", "1500"));
        Set<Thread> before = acceptors();
        Runner runner = new Runner(config, PluginCatalog.of(List.of(REGISTRY)), new JnrTransport()).start();
        Set<Thread> mine = acceptors();
        mine.removeAll(before);
        assertEquals(1, mine.size(), "one new acceptor thread");
        Thread acceptor = mine.iterator().next();

        long token;
        try (ApisixClient c = ApisixClient.connect(sock)) {
            token = assertInstanceOf(Reply.Token.class, c.prepareConf("k", List.of(Field.of("slow", "x")))).token();
        }
        try (SocketChannel idle = SocketChannel.open(UnixDomainSocketAddress.of(sock));
                ApisixClient busy = ApisixClient.connect(sock)) {
            CompletableFuture<Reply> inFlight = CompletableFuture.supplyAsync(() -> {
                try {
                    return busy.call(token, new CallRequest().id(1), new ExtraInfoAnswers());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, pool);
            assertTrue(ENTERED.await(5, TimeUnit.SECONDS), "the call reached the plugin");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (runner.connectionCount() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertEquals(2, runner.connectionCount(), "the idle and the busy connection are served");

            CompletableFuture<Void> stopping = CompletableFuture.runAsync(runner::close, pool);
            // A call in flight is traffic: the runner holds its path until 150 ms before the end of its drain,
            // then retires its connections. The idle one gets the goodbye (CONF_TOKEN_NOT_FOUND: a client that
            // wrote a call on it meanwhile tries again elsewhere), then end-of-stream.
            CompletableFuture<byte[]> untilEof = CompletableFuture.supplyAsync(() -> {
                java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
                ByteBuffer buf = ByteBuffer.allocate(64);
                try {
                    while (idle.read(buf) >= 0) {
                        got.write(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    return got.toByteArray();
                } catch (Exception e) {
                    return null;
                }
            }, pool);
            long removed = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (Files.exists(sock) && System.nanoTime() < removed) {
                Thread.sleep(2);
            }
            assertFalse(Files.exists(sock), "the socket file is removed before draining");
            assertFalse(inFlight.isDone(), "the call in flight is still running");

            RELEASE.countDown();
            Reply.Stop stop = assertInstanceOf(Reply.Stop.class, inFlight.get(5, TimeUnit.SECONDS));
            assertEquals(200, stop.status());
            byte[] goodbye = untilEof.get(3, TimeUnit.SECONDS);
            assertTrue(goodbye != null && goodbye.length > 4 && goodbye[0] == 0, "an error frame, then end-of-stream");
            io.github.a6sdk.runtime.protocol.FlatReader err = new io.github.a6sdk.runtime.protocol.FlatReader().reset(
                    ByteBuffer.wrap(goodbye).order(java.nio.ByteOrder.LITTLE_ENDIAN), 4, goodbye.length - 4);
            assertEquals(io.github.a6sdk.runtime.protocol.Rpc.ERR_CONF_TOKEN_NOT_FOUND, err.u8(err.root(), 0), "the goodbye");
            idle.close(); // as nginx's pool does
            stopping.get(5, TimeUnit.SECONDS);
        } finally {
            RELEASE.countDown();
            runner.close();
        }
        assertEquals(0, runner.connectionCount());
        acceptor.join(2000);
        assertFalse(acceptor.isAlive(), "closing the jnr listener woke the acceptor blocked in accept()");
    }
}
