package io.github.a6sdk.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * Conf tokens to prepared chains. Tokens come from a counter (never random, so they cannot
 * collide); each token owns slot {@code token mod capacity} of a ring, so a lookup is one array
 * read whatever the cache holds, memory is bounded by the capacity, and when the ring wraps the
 * oldest entry gives way. An entry also expires {@code ttl} after it was prepared; a token that is
 * gone is answered with CONF_TOKEN_NOT_FOUND, on which APISIX prepares the conf again.
 */
public final class ConfCache {
    private final AtomicReferenceArray<Slot> ring;
    private final int mask;
    private final long ttlNanos;
    private final LongSupplier clock;
    private final AtomicInteger counter = new AtomicInteger();

    private record Slot(int token, Chain chain, long expiresAt) {}

    /**
     * @param capacity the most entries kept, rounded up to a power of two
     * @param ttlSeconds how long an entry lives at least (unless the ring wraps)
     */
    public ConfCache(int capacity, long ttlSeconds, LongSupplier nanoClock) {
        if (capacity < 1 || capacity > (1 << 30)) {
            throw new IllegalArgumentException("capacity must be between 1 and 2^30: " + capacity);
        }
        int size = 1;
        while (size < capacity) {
            size <<= 1;
        }
        this.ring = new AtomicReferenceArray<>(size);
        this.mask = size - 1;
        this.ttlNanos = Math.multiplyExact(ttlSeconds, 1_000_000_000L);
        this.clock = nanoClock;
    }

    public ConfCache(int capacity, long ttlSeconds) {
        this(capacity, ttlSeconds, System::nanoTime);
    }

    /** Stores {@code chain} and returns its token (an unsigned 32-bit value, never 0). */
    public long put(Chain chain) {
        int token;
        do {
            token = counter.incrementAndGet();
        } while (token == 0);
        ring.set(token & mask, new Slot(token, chain, clock.getAsLong() + ttlNanos));
        return token & 0xFFFF_FFFFL;
    }

    /** The chain of {@code token}, or {@code null} when it is unknown, evicted or expired. */
    public Chain get(long token) {
        int t = (int) token;
        if (t == 0 || token != (token & 0xFFFF_FFFFL)) {
            return null;
        }
        Slot slot = ring.get(t & mask);
        if (slot == null || slot.token != t) {
            return null;
        }
        if (clock.getAsLong() - slot.expiresAt > 0) {
            ring.compareAndSet(t & mask, slot, null);
            return null;
        }
        return slot.chain;
    }

    /** Sets the last token given out, so that a test can watch the counter wrap past 2^32. */
    void lastTokenForTest(long token) {
        counter.set((int) token);
    }

    /** Entries held and not expired (a scan of the ring, for the metrics gauge; not for the call path). */
    public int size() {
        long now = clock.getAsLong();
        int n = 0;
        for (int i = 0; i < ring.length(); i++) {
            Slot slot = ring.get(i);
            n += slot != null && now - slot.expiresAt <= 0 ? 1 : 0;
        }
        return n;
    }

    /** The ring's capacity. */
    public int capacity() {
        return mask + 1;
    }
}
