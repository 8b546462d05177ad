package io.github.a6sdk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.testkit.PluginChain;
import io.github.a6sdk.testkit.RequestOutcome;
import io.github.a6sdk.testkit.TestRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitTest {

    @Test
    void stopsWith429OnceTheWindowIsFull() {
        PluginChain chain = PluginChain.of(new RateLimit_Descriptor(), "{\"limit\":2,\"windowSeconds\":60}");
        chain.request(TestRequest.get("/")).assertPassed();
        chain.request(TestRequest.get("/")).assertPassed();
        RequestOutcome.Stop stop = chain.request(TestRequest.get("/")).stopped();
        assertEquals(429, stop.status());
        assertTrue(Long.parseLong(stop.header("Retry-After")) >= 1);
    }

    @Test
    void eachRouteConfigHasItsOwnCounter() throws Exception {
        PluginDescriptor<RateLimit.Config> d = new RateLimit_Descriptor();
        RateLimit.Config routeA = d.parseConfig("{\"limit\":1,\"windowSeconds\":60}");
        RateLimit.Config routeB = d.parseConfig("{\"limit\":1,\"windowSeconds\":60}");
        PluginChain.of(d, routeA).request(TestRequest.get("/")).assertPassed();
        assertEquals(429, PluginChain.of(d, routeA).request(TestRequest.get("/")).stopped().status());
        PluginChain.of(d, routeB).request(TestRequest.get("/")).assertPassed();
    }

    @Test
    void theCounterIsExactUnderConcurrentCalls() throws Exception {
        RateLimit.Config config = new RateLimit_Descriptor().parseConfig("{\"limit\":500,\"windowSeconds\":3600}");
        PluginChain chain = PluginChain.of(new RateLimit_Descriptor(), config);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                tasks.add(() -> {
                    int passed = 0;
                    for (int i = 0; i < 100; i++) {
                        passed += chain.request(TestRequest.get("/")).isPassed() ? 1 : 0;
                    }
                    return passed;
                });
            }
            int passed = 0;
            for (Future<Integer> f : pool.invokeAll(tasks)) {
                passed += f.get();
            }
            assertEquals(500, passed, "exactly the limit passes out of 800 concurrent calls");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aNewWindowStartsAfterTheOldOneEnds() {
        AtomicLong now = new AtomicLong(1_000);
        RateLimit.Window w = new RateLimit.Window(1, 100, now::get);
        assertEquals(0, w.tryAcquire());
        assertEquals(100, w.tryAcquire());
        now.addAndGet(60);
        assertEquals(40, w.tryAcquire());
        now.addAndGet(40);
        assertEquals(0, w.tryAcquire());
    }

    @Test
    void theWindowIsNotReadFromJson() {
        String message = PluginChain.configError(new RateLimit_Descriptor(),
                "{\"limit\":1,\"windowSeconds\":1,\"window\":{}}").getMessage();
        assertTrue(message.contains("unknown field \"window\""), message);
        assertTrue(PluginChain.configError(new RateLimit_Descriptor(), "{\"limit\":0,\"windowSeconds\":1}")
                .getMessage().contains("limit must be at least 1"));
    }
}
