package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connection model on the JDK transport: event loops serve every connection, non-blocking
 * chains run on them, blocking chains on a pool of reused workers; the thread count follows the
 * blocking calls in flight, not the connections.
 */
@Timeout(120)
class ServerThreadsTest {
    @TempDir Path dir;
    private Runner runner;
    private Path sock;
    private ExecutorService pool;
    private final Set<String> threadsSeen = ConcurrentHashMap.newKeySet();
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            warnings.add(new java.util.logging.SimpleFormatter().formatMessage(r));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private volatile CountDownLatch release = new CountDownLatch(0);

    @BeforeEach
    void start() throws Exception {
        sock = dir.resolve("s.sock");
        TestDescriptor fast = TestDescriptor.request("fast", (c, req, resp) -> {
            threadsSeen.add(Thread.currentThread().getName());
            resp.setStatus(200);
            resp.setBody("fast " + req.id());
        }).nonBlocking();
        TestDescriptor held = TestDescriptor.request("held", (c, req, resp) -> {
            threadsSeen.add(Thread.currentThread().getName());
            assertTrue(release.await(30, TimeUnit.SECONDS));
            resp.setStatus(200);
            resp.setBody("held " + req.id());
        }).mayBlock();
        TestDescriptor stalling = TestDescriptor.request("stalling", (c, req, resp) -> {
            Thread.sleep(300); // says it does not block, and does
            resp.setStatus(200);
        }).nonBlocking();
        TestDescriptor spinning = TestDescriptor.request("spinning", (c, req, resp) -> {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            long n = 0;
            while (System.nanoTime() < end) { // says it does not block: it does not, but holds its thread 300 ms
                n++;
            }
            resp.setStatus(n > 0 ? 200 : 500);
        }).nonBlocking();
        TestDescriptor asks = TestDescriptor.request("asks", (c, req, resp) -> {
            threadsSeen.add(Thread.currentThread().getName());
            resp.setStatus(200);
            resp.setBody(req.var("remote_addr") + "|" + req.var("lazy") + "|" + new String(req.body(), StandardCharsets.UTF_8));
        }).prefetch(true, false, "remote_addr").nonBlocking();
        runner = new Runner(RunnerConfig.fromEnvironment(Map.of("APISIX_LISTEN_ADDRESS", "unix:" + sock,
                "A6_EVENT_LOOPS", "2", "A6_DRAIN_MS", "200")),
                PluginCatalog.of(List.of(TestDescriptor.registry(fast, held, stalling, spinning, asks)))).start();
        Logger.getLogger("io.github.a6sdk.runtime").addHandler(capture);
        pool = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        Logger.getLogger("io.github.a6sdk.runtime").removeHandler(capture);
        pool.shutdownNow();
        runner.close();
    }

    private long prepare(String name) throws Exception {
        try (ApisixClient c = ApisixClient.connect(sock)) {
            return assertInstanceOf(Reply.Token.class, c.prepareConf("route#" + name + "#ext-plugin-pre-req#1",
                    List.of(Field.of(name, "")))).token();
        }
    }

    private static String body(Reply r) {
        return assertInstanceOf(Reply.Stop.class, r).bodyAsString();
    }

    private static long threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
    }

    @Test
    void everyCallStartsOnTheEventLoopAndAPluginSeenToBlockMovesToWorkers() throws Exception {
        long fast = prepare("fast");
        long held = prepare("held");
        try (ApisixClient c = ApisixClient.connect(sock)) {
            assertEquals("fast 1", body(c.call(fast, new CallRequest().id(1), new ExtraInfoAnswers())));
            assertTrue(threadsSeen.stream().allMatch(n -> n.startsWith("a6-loop-")), threadsSeen.toString());
            threadsSeen.clear();
            // A plugin that may block and does not: its call runs on the loop too.
            assertEquals("held 2", body(c.call(held, new CallRequest().id(2), new ExtraInfoAnswers())));
            assertTrue(threadsSeen.stream().allMatch(n -> n.startsWith("a6-loop-")), threadsSeen.toString());
            threadsSeen.clear();
            // Now it blocks: the loop is taken over by another thread while it waits, and its later calls go to workers.
            release = new CountDownLatch(1);
            Future<String> blocked = pool.submit(() -> {
                try (ApisixClient other = ApisixClient.connect(sock)) {
                    return body(other.call(held, new CallRequest().id(3), new ExtraInfoAnswers()));
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (warnings.stream().noneMatch(w -> w.contains("plugin \"held\" held event loop")) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            // Meanwhile the loops serve other connections.
            for (int i = 0; i < 20; i++) {
                assertEquals("fast " + i, body(c.call(fast, new CallRequest().id(i), new ExtraInfoAnswers())));
            }
            release.countDown();
            assertEquals("held 3", blocked.get(10, TimeUnit.SECONDS));
            assertTrue(warnings.stream().anyMatch(w -> w.contains("plugin \"held\" held event loop")
                    && w.contains("its calls run on worker threads from now on")), warnings.toString());
            threadsSeen.clear();
            assertEquals("held 4", body(c.call(held, new CallRequest().id(4), new ExtraInfoAnswers())));
            // Off the loops: on a worker, or on the thread this busy connection (20 calls in a row) was given.
            assertTrue(threadsSeen.stream().allMatch(n -> n.startsWith("a6-worker-") || n.startsWith("a6-conn-")),
                    threadsSeen.toString());
        }
        assertTrue(threadsNamed("a6-loop-") >= 2, "A6_EVENT_LOOPS=2");
    }

    @Test
    void withMetricsOnNonBlockingChainsStillRunOnTheEventLoop() throws Exception {
        // The metered catalog wraps each descriptor: it must keep the plugin's blocking flag.
        Path msock = dir.resolve("m.sock");
        TestDescriptor fast = TestDescriptor.request("fast", (c, req, resp) -> {
            threadsSeen.add(Thread.currentThread().getName());
            resp.setStatus(200);
        }).nonBlocking();
        try (Runner metered = new Runner(RunnerConfig.fromEnvironment(Map.of("APISIX_LISTEN_ADDRESS", "unix:" + msock,
                "A6_METRICS_ADDRESS", "127.0.0.1:0", "A6_DRAIN_MS", "200")),
                PluginCatalog.of(List.of(TestDescriptor.registry(fast)))).start()) {
            assertTrue(metered.metrics() != null, "metrics are on");
            try (ApisixClient c = ApisixClient.connect(msock)) {
                long token = assertInstanceOf(Reply.Token.class, c.prepareConf("route#1#ext-plugin-pre-req#1",
                        List.of(Field.of("fast", "")))).token();
                assertInstanceOf(Reply.Stop.class, c.call(token, new CallRequest().id(3), new ExtraInfoAnswers()));
            }
        }
        assertTrue(!threadsSeen.isEmpty() && threadsSeen.stream().allMatch(n -> n.startsWith("a6-loop-")), threadsSeen.toString());
    }

    @Test
    void prefetchAndLazyExtraInfoWorkOnTheEventLoop() throws Exception {
        long asks = prepare("asks");
        try (ApisixClient c = ApisixClient.connect(sock)) {
            ExtraInfoAnswers answers = new ExtraInfoAnswers().var("remote_addr", "10.1.2.3").var("lazy", "yes")
                    .requestBody("payload".getBytes(StandardCharsets.UTF_8));
            assertEquals("10.1.2.3|yes|payload", body(c.call(asks, new CallRequest().id(5), answers)));
        }
        assertTrue(threadsSeen.stream().allMatch(n -> n.startsWith("a6-loop-")), threadsSeen.toString());
    }

    @Test
    void blockedWorkersHoldUpNoNonBlockingCallOnOtherConnections() throws Exception {
        long fast = prepare("fast");
        long held = prepare("held");
        release = new CountDownLatch(1);
        List<Future<String>> heldCalls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            long id = 100 + i;
            heldCalls.add(pool.submit(() -> {
                try (ApisixClient c = ApisixClient.connect(sock)) {
                    return body(c.call(held, new CallRequest().id(id), new ExtraInfoAnswers()));
                }
            }));
        }
        // While eight blocking calls wait, non-blocking calls on other connections are all answered.
        Future<Integer> fastCalls = pool.submit(() -> {
            int ok = 0;
            for (int i = 0; i < 200; i++) {
                try (ApisixClient c = ApisixClient.connect(sock)) {
                    if (body(c.call(fast, new CallRequest().id(i), new ExtraInfoAnswers())).equals("fast " + i)) {
                        ok++;
                    }
                }
            }
            return ok;
        });
        assertEquals(200, fastCalls.get(20, TimeUnit.SECONDS));
        for (Future<String> f : heldCalls) {
            assertTrue(!f.isDone(), "a held call ended before it was released");
        }
        release.countDown();
        for (int i = 0; i < 8; i++) {
            assertEquals("held " + (100 + i), heldCalls.get(i).get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void aThousandConnectionsAreServedByTheLoopsAloneAndWorkersAreReused() throws Exception {
        long fast = prepare("fast");
        long held = prepare("held");
        List<ApisixClient> clients = new ArrayList<>();
        long workersBefore = threadsNamed("a6-worker-"); // other runners of this test JVM keep idle workers for 10 s
        int threadsBefore = Thread.activeCount();
        try {
            for (int i = 0; i < 1000; i++) {
                ApisixClient c = ApisixClient.connect(sock);
                clients.add(c);
                assertEquals("fast " + i, body(c.call(fast, new CallRequest().id(i), new ExtraInfoAnswers())));
            }
            assertEquals(1000, runner.connectionCount());
            // (a loop handed to another thread when a call holds it shows as one more thread for a moment)
            assertTrue(Thread.activeCount() - threadsBefore <= 4, "no thread per connection: "
                    + (Thread.activeCount() - threadsBefore) + " more threads");
            assertEquals(workersBefore, threadsNamed("a6-worker-"), "no worker for non-blocking calls");
            // A blocking call on each of 1000 connections, one after the other: a worker is reused, not made per call.
            for (int i = 0; i < 1000; i++) {
                assertEquals("held " + i, body(clients.get(i).call(held, new CallRequest().id(i), new ExtraInfoAnswers())));
            }
            assertTrue(threadsNamed("a6-worker-") - workersBefore <= 8, "workers made for 1000 calls: "
                    + (threadsNamed("a6-worker-") - workersBefore));
        } finally {
            for (ApisixClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void aNonBlockingPluginThatBlocksIsReportedOnce() throws Exception {
        // Caught waiting: learned at once, and that is the one warning (the stall report would say it again).
        List<String> about = logLinesAfterOneCall("stalling");
        assertEquals(1, about.size(), about.toString());
        assertTrue(about.get(0).contains("plugin \"stalling\" says @ApisixPlugin(blocking = false) but held event loop a6-loop-")
                && about.get(0).contains("Remove blocking = false from it"), about.toString());
    }

    @Test
    void aNonBlockingPluginThatHoldsItsLoopRunningIsReportedOnce() throws Exception {
        // Caught running once is not enough to learn it (a busy machine delays any thread): the stall report says it.
        List<String> about = logLinesAfterOneCall("spinning");
        assertEquals(1, about.size(), about.toString());
        assertTrue(about.get(0).contains("(plugins [spinning]) has held event loop a6-loop-")
                && about.get(0).contains("@ApisixPlugin(blocking = false)"), about.toString());
    }

    /** The log lines that name {@code plugin} after one call of it, and the watchdog's next look (every 100 ms here). */
    private List<String> logLinesAfterOneCall(String plugin) throws Exception {
        long token = prepare(plugin);
        try (ApisixClient c = ApisixClient.connect(sock)) {
            assertInstanceOf(Reply.Stop.class, c.call(token, new CallRequest().id(9), new ExtraInfoAnswers()));
        }
        Thread.sleep(250);
        return warnings.stream().filter(w -> w.contains(plugin)).toList();
    }
}
