package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConfCacheTest {
    private final AtomicLong now = new AtomicLong(123_456_789L);
    private final TestDescriptor plugin = TestDescriptor.request("p", (c, req, resp) -> { });

    private Chain chain(String config) {
        return Chain.of(plugin, config);
    }

    @Test
    void tokensComeFromACounter() {
        ConfCache cache = new ConfCache(16, 60, now::get, 1);
        long previous = 0;
        for (int i = 1; i <= 100; i++) {
            long t = cache.put(chain("c" + i));
            assertEquals(previous + 1, t, "consecutive PrepareConfs get consecutive tokens");
            previous = t;
        }
        assertTrue(previous > 0);
    }

    @Test
    void lookupFindsTheRightChain() {
        ConfCache cache = new ConfCache(8, 60, now::get);
        Chain a = chain("a");
        Chain b = chain("b");
        long ta = cache.put(a);
        long tb = cache.put(b);
        assertSame(a, cache.get(ta));
        assertSame(b, cache.get(tb));
        assertNull(cache.get(0));
        assertNull(cache.get(tb + 1), "a token never given out");
        assertNull(cache.get(-1));
        assertNull(cache.get(1L << 32 | ta), "not a uint32");
    }

    @Test
    void entriesExpireAfterTheirTtl() {
        ConfCache cache = new ConfCache(8, 100, now::get);
        long t = cache.put(chain("x"));
        now.addAndGet(TimeUnit.SECONDS.toNanos(100));
        assertSame(cache.get(t), cache.get(t));
        assertTrue(cache.get(t) != null, "alive at exactly its TTL");
        now.addAndGet(1);
        assertNull(cache.get(t), "gone after its TTL");
        assertNull(cache.get(t), "and stays gone");
    }

    @Test
    void entriesOutliveApisixConfExpireTime() {
        // APISIX may use a token for up to ~1.9 x APISIX_CONF_EXPIRE_TIME (docs/protocol.md 4.3).
        RunnerConfig config = RunnerConfig.fromEnvironment(Map.of(
                "APISIX_LISTEN_ADDRESS", "unix:/tmp/x.sock", "APISIX_CONF_EXPIRE_TIME", "3600"));
        assertTrue(config.confTtlSeconds() >= 3600);
        ConfCache cache = new ConfCache(config.confCacheSize(), config.confTtlSeconds(), now::get);
        long t = cache.put(chain("x"));
        now.addAndGet(TimeUnit.SECONDS.toNanos(3600));
        assertTrue(cache.get(t) != null, "alive after APISIX_CONF_EXPIRE_TIME");
        now.addAndGet(TimeUnit.SECONDS.toNanos(3240 - 1));
        assertTrue(cache.get(t) != null, "alive at APISIX's worst case of 3240 + 3600 s");
        now.addAndGet(TimeUnit.SECONDS.toNanos(config.confTtlSeconds()));
        assertNull(cache.get(t));
    }

    @Test
    void boundedByCapacityTheOldestGivesWay() {
        ConfCache cache = new ConfCache(4, 60, now::get);
        assertEquals(4, cache.capacity());
        Chain[] chains = new Chain[9];
        long[] tokens = new long[9];
        for (int i = 1; i <= 8; i++) {
            chains[i] = chain("c" + i);
            tokens[i] = cache.put(chains[i]);
        }
        for (int i = 1; i <= 4; i++) {
            assertNull(cache.get(tokens[i]), "token " + tokens[i] + " was evicted");
        }
        for (int i = 5; i <= 8; i++) {
            assertSame(chains[i], cache.get(tokens[i]));
        }
        // A token whose slot was reused is not answered with the newer chain.
        assertNull(cache.get(tokens[1]));
    }

    @Test
    void boundedByTheMemoryItsConfigsHoldTheOldestGiveWay() {
        ConfCache cache = new ConfCache(1024, 60, 10_000, now::get, -3); // the counter wraps past 0 on the way
        long[] tokens = new long[12];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = cache.put(chain("c" + i), 1_000);
            assertTrue(cache.bytesHeld() <= 10_000, "held " + cache.bytesHeld() + " after " + (i + 1));
        }
        for (int i = 0; i < 2; i++) {
            assertNull(cache.get(tokens[i]), "the oldest gave way: token " + tokens[i]);
        }
        for (int i = 2; i < tokens.length; i++) {
            assertTrue(cache.get(tokens[i]) != null, "token " + tokens[i] + " is kept");
        }
        assertEquals(10_000, cache.bytesHeld());
        assertEquals(2, cache.evictions());
        // One large entry pushes out as many old ones as it needs.
        long big = cache.put(chain("big"), 4_500);
        assertTrue(cache.get(big) != null);
        assertTrue(cache.bytesHeld() <= 10_000);
        assertEquals(7, cache.evictions());
        assertEquals(2_500, cache.maxEntryBytes());
    }

    @Test
    void expiredAndOverwrittenEntriesNoLongerCountAgainstTheBudget() {
        ConfCache cache = new ConfCache(2, 10, 1_000_000, now::get, 1);
        long a = cache.put(chain("a"), 100);
        cache.put(chain("b"), 200);
        assertEquals(300, cache.bytesHeld());
        cache.put(chain("c"), 400); // the ring of two wraps over a
        assertEquals(600, cache.bytesHeld());
        assertNull(cache.get(a));
        now.addAndGet(TimeUnit.SECONDS.toNanos(11));
        assertNull(cache.get(a + 1));
        assertEquals(400, cache.bytesHeld(), "an expired entry that was looked up is gone from the count");
    }

    @Test
    void shrinkGivesUpTheOlderHalf() {
        ConfCache cache = new ConfCache(64, 60, Long.MAX_VALUE, now::get, 1);
        long[] tokens = new long[20];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = cache.put(chain("c" + i), 10);
        }
        int dropped = cache.shrink();
        assertTrue(dropped >= 10 && dropped <= 11, "dropped " + dropped);
        assertNull(cache.get(tokens[0]));
        assertTrue(cache.get(tokens[19]) != null, "the newest stays");
        assertEquals((20 - dropped) * 10L, cache.bytesHeld());
    }

    @Test
    void theEstimateFollowsTheConfigsLength() {
        long small = ConfCache.estimate(java.util.List.of(new Chain.Entry("a", "{}")));
        long large = ConfCache.estimate(java.util.List.of(new Chain.Entry("a", "x".repeat(2000))));
        assertTrue(large - small >= 3 * 1998, "about 3.5 bytes of heap per character, measured; counted as 4");
        assertEquals(3, ConfCache.characters(java.util.List.of(new Chain.Entry("a", "{}"))));
    }

    @Test
    void capacityIsRoundedUpAndChecked() {
        assertEquals(8, new ConfCache(5, 1).capacity());
        assertEquals(1, new ConfCache(1, 1).capacity());
        assertEquals(131072, new ConfCache(131072, 1).capacity());
        assertThrows(IllegalArgumentException.class, () -> new ConfCache(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ConfCache((1 << 30) + 1, 1));
    }

    @Test
    void lookupWorksTheSameInALargeFullCache() {
        // One array read per lookup: the newest and oldest of 100,000 live entries are found alike.
        ConfCache cache = new ConfCache(1 << 17, 60, now::get, 1);
        Chain first = chain("first");
        long t1 = cache.put(first);
        for (int i = 0; i < 100_000; i++) {
            cache.put(chain("x"));
        }
        Chain last = chain("last");
        long tl = cache.put(last);
        assertSame(first, cache.get(t1));
        assertSame(last, cache.get(tl));
        assertEquals(t1 + 100_001, tl);
    }

    @Test
    void concurrentPutsNeverShareAToken() throws Exception {
        ConfCache cache = new ConfCache(1 << 16, 60, now::get, 1);
        int threads = 8;
        int each = 2000;
        java.util.Set<Long> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            ts[i] = new Thread(() -> {
                for (int k = 0; k < each; k++) {
                    seen.add(cache.put(chain("c")));
                }
            });
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(threads * each, seen.size());
        assertEquals(threads * each, (long) java.util.Collections.max(seen));
    }

    @Test
    void tokensAreUnsigned32BitAndSkipZeroWhenTheCounterWraps() {
        ConfCache cache = new ConfCache(8, 60, now::get, 0x7FFF_FFFF);
        long a = cache.put(chain("a"));
        long b = cache.put(chain("b"));
        assertEquals(0x7FFF_FFFFL, a);
        assertEquals(0x8000_0000L, b, "past 2^31 tokens stay positive uint32 values");
        assertSame(cache.get(b), cache.get(0x8000_0000L));
        ConfCache high = new ConfCache(8, 60, now::get, 0xFFFF_FFFF);
        Chain last = chain("last");
        assertEquals(0xFFFF_FFFFL, high.put(last));
        Chain wrapped = chain("wrapped");
        assertEquals(1, high.put(wrapped), "0 is never a token");
        assertSame(wrapped, high.get(1));
        assertSame(last, high.get(0xFFFF_FFFFL), "the token before the wrap is still served");
        assertNull(high.get(0));
        // After a whole ring of tokens past the wrap, the old token's slot belongs to a newer one.
        for (int i = 0; i < 8; i++) {
            high.put(chain("after" + i));
        }
        assertNull(high.get(0xFFFF_FFFFL), "an evicted pre-wrap token is unknown, not the newer chain in its slot");
    }

    @Test
    void eachCacheStartsItsTokensAtARandomValue() {
        // Two runner incarnations must not number their tokens alike (issue: after a restart, old
        // tokens named other routes' chains). 64 caches: every start differs, and they spread over
        // the whole uint32 range (each half of it is hit; fails with probability 2^-63).
        java.util.Set<Long> starts = new java.util.HashSet<>();
        boolean low = false;
        boolean high = false;
        for (int i = 0; i < 64; i++) {
            long t = new ConfCache(8, 60, now::get).put(chain("x"));
            starts.add(t);
            low |= t < 0x8000_0000L;
            high |= t >= 0x8000_0000L;
        }
        assertEquals(64, starts.size(), "two caches started at the same token");
        assertTrue(low && high, "random starts should cover both halves of the uint32 range: " + starts);
    }

    @Test
    void aSecondIncarnationAnswersEveryTokenOfTheFirstWithNotFound() {
        // Runner A prepares 32 routes and stops; runner B prepares 32 others; A's tokens reach B.
        ConfCache a = new ConfCache(1 << 17, 3600, now::get);
        long[] old = new long[32];
        for (int i = 0; i < old.length; i++) {
            old[i] = a.put(chain("a" + i));
        }
        ConfCache b = new ConfCache(1 << 17, 3600, now::get);
        for (int i = 0; i < 32; i++) {
            b.put(chain("b" + i));
        }
        for (long t : old) {
            assertNull(b.get(t), "token " + t + " of the old runner named a chain of the new one");
        }
    }
}
