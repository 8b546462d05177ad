package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Reply;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Many connections at once: replies match their requests, and a blocking plugin holds only its own. */
@Timeout(60)
class ConcurrencyProtocolTest {
    @TempDir Path dir;
    TestRunner runner;
    ExecutorService pool;

    @BeforeEach
    void start() throws Exception {
        runner = TestRunner.start(dir,
                TestDescriptor.request("echo", (config, req, resp) -> {
                    resp.setStatus(200);
                    resp.setHeader("X-Echo", req.headers().get("x-call"));
                    resp.setHeader("X-Var", req.var("request_id"));
                    resp.setBody(Long.toString(req.id()));
                }),
                TestDescriptor.request("sleep", (config, req, resp) -> {
                    Thread.sleep(300);
                    resp.setBody("slept " + req.id());
                }).mayBlock());
        pool = Executors.newFixedThreadPool(64);
    }

    @AfterEach
    void stop() throws Exception {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        runner.close();
    }

    @Test
    void sixtyFourConnectionsInParallelGetTheirOwnReplies() throws Exception {
        long token = runner.prepare("echo", "");
        int connections = 64;
        int calls = 25;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int conn = c;
            results.add(pool.submit(() -> {
                go.await();
                int ok = 0;
                try (ApisixClient client = runner.client()) {
                    for (int i = 0; i < calls; i++) {
                        long id = conn * 1000L + i;
                        String tag = "conn" + conn + "-call" + i;
                        ExtraInfoAnswers answers = new ExtraInfoAnswers().var("request_id", "rid-" + tag);
                        Reply.Stop s = assertInstanceOf(Reply.Stop.class,
                                client.call(token, new CallRequest().id(id).header("x-call", tag), answers));
                        assertEquals(id, s.id());
                        assertEquals(Long.toString(id), s.bodyAsString());
                        assertEquals(List.of(tag), s.header("x-echo"));
                        assertEquals(List.of("rid-" + tag), s.header("x-var"));
                        ok++;
                    }
                }
                return ok;
            }));
        }
        go.countDown();
        int total = 0;
        for (Future<Integer> f : results) {
            total += f.get(30, TimeUnit.SECONDS);
        }
        assertEquals(connections * calls, total);
    }

    @Test
    void aBlockingPluginHoldsOnlyItsOwnConnection() throws Exception {
        long token = runner.prepare("sleep", "");
        long one;
        try (ApisixClient c = runner.client()) {
            long t0 = System.nanoTime();
            assertInstanceOf(Reply.Stop.class, c.call(token, new CallRequest().id(1), new ExtraInfoAnswers()));
            one = System.nanoTime() - t0;
        }
        assertTrue(one >= TimeUnit.MILLISECONDS.toNanos(300));
        int n = 8;
        List<ApisixClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                clients.add(runner.client());
            }
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ApisixClient c = clients.get(i);
                long id = 100 + i;
                results.add(pool.submit(() -> {
                    go.await();
                    return assertInstanceOf(Reply.Stop.class, c.call(token, new CallRequest().id(id), new ExtraInfoAnswers()))
                            .bodyAsString();
                }));
            }
            long t0 = System.nanoTime();
            go.countDown();
            for (int i = 0; i < n; i++) {
                assertEquals("slept " + (100 + i), results.get(i).get(20, TimeUnit.SECONDS));
            }
            long all = System.nanoTime() - t0;
            assertTrue(all < 4 * Math.max(one, TimeUnit.MILLISECONDS.toNanos(300)),
                    "8 blocking calls took " + TimeUnit.NANOSECONDS.toMillis(all) + " ms; one took "
                            + TimeUnit.NANOSECONDS.toMillis(one) + " ms");
        } finally {
            for (ApisixClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void prepareConfsFromManyConnectionsNeverShareATokenAndAllWork() throws Exception {
        int n = 32;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Long>> tokens = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tokens.add(pool.submit(() -> {
                go.await();
                return runner.prepare("echo", "");
            }));
        }
        go.countDown();
        java.util.Set<Long> distinct = new java.util.HashSet<>();
        for (Future<Long> f : tokens) {
            distinct.add(f.get(20, TimeUnit.SECONDS));
        }
        assertEquals(n, distinct.size());
        try (ApisixClient c = runner.client()) {
            for (long t : distinct) {
                assertInstanceOf(Reply.Stop.class, c.call(t, new CallRequest(), new ExtraInfoAnswers().var("request_id", "r")));
            }
        }
    }
}
