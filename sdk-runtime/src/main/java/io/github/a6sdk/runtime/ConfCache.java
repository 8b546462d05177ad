package io.github.a6sdk.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * Conf tokens to prepared chains.
 *
 * <p><b>Tokens.</b> A token is an unsigned 32-bit value, never 0, from a counter that starts at a
 * random value drawn when the cache is made (from {@code /dev/urandom}). Within one runner the
 * tokens are consecutive, so no two PrepareConfs get the same token until 2^32 of them have been
 * made. Across runner incarnations the start is random, and that is what keeps a token of an
 * earlier runner (which APISIX keeps in its shared dict across a reload, and with
 * {@code path_for_test}) from naming another route's chain here: the tokens an old runner handed
 * out in its last two hours form one interval, the tokens this runner holds form another, and the
 * two meet only if the random starts fall within {@code a + b} of each other, where {@code a} and
 * {@code b} are how many PrepareConfs each made in that time. So the chance that <em>any</em> old
 * token aliases, per restart, is at most {@code (a + b) / 2^32}: 4.7e-7 for 1,000 PrepareConfs on
 * each side, 4.7e-5 for 100,000. An unknown token is answered CONF_TOKEN_NOT_FOUND, on which APISIX
 * prepares the conf again.
 *
 * <p><b>Ring.</b> Each token owns slot {@code token mod capacity} of a ring, so a lookup is one
 * array read whatever the cache holds, and memory is bounded by the capacity. A slot keeps the
 * full token, so a token whose slot was taken by a later one (the ring wrapped) is unknown, not
 * another chain. An entry also expires {@code ttl} after it was prepared. The counter wraps past
 * 2^32 (skipping 0); a token from before the wrap could alias only if APISIX still held it after
 * 2^32 PrepareConfs, which at the default TTL needs 1.2 million PrepareConfs a second.
 *
 * <p><b>Memory.</b> The cache is bounded by the memory its configs hold as well as by count: each
 * entry carries an estimate of its heap cost ({@link #estimate}), and when the sum passes the
 * budget ({@code A6_CONF_CACHE_BYTES}) the oldest entries are evicted. An evicted token is
 * unknown, so APISIX prepares the route again (CONF_TOKEN_NOT_FOUND) and the request still
 * succeeds. {@link #shrink()} gives up the older half at once (after an OutOfMemoryError).
 */
public final class ConfCache {
    private static final Path URANDOM = Path.of("/dev/urandom");
    /** Heap held per config character, measured: a token list and a header map of 1.4 KB took 3.1–3.4 bytes a character. */
    static final int BYTES_PER_CHAR = 4;
    /** Heap held per entry besides its configs (slot, chain, links), rounded up. */
    static final int ENTRY_BYTES = 256;

    private final AtomicReferenceArray<Slot> ring;
    private final int mask;
    private final long ttlNanos;
    private final LongSupplier clock;
    private final AtomicInteger counter;
    private final long maxBytes;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong evicted = new AtomicLong();
    /** The oldest token that may still be in the ring (under the lock of this). */
    private int oldest;

    private record Slot(int token, Chain chain, long expiresAt, long bytes) {}

    /**
     * @param capacity the most entries kept, rounded up to a power of two
     * @param ttlSeconds how long an entry lives at least (unless the ring wraps or memory runs short)
     * @param maxBytes the most heap the entries may hold, by their estimates
     * @param nanoClock the clock entries expire by
     * @param firstToken the first token to hand out (0 is skipped)
     */
    ConfCache(int capacity, long ttlSeconds, long maxBytes, LongSupplier nanoClock, int firstToken) {
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
        this.maxBytes = maxBytes;
        this.clock = nanoClock;
        this.counter = new AtomicInteger(firstToken - 1);
        this.oldest = firstToken == 0 ? 1 : firstToken;
    }

    ConfCache(int capacity, long ttlSeconds, LongSupplier nanoClock, int firstToken) {
        this(capacity, ttlSeconds, Long.MAX_VALUE, nanoClock, firstToken);
    }

    public ConfCache(int capacity, long ttlSeconds, long maxBytes, LongSupplier nanoClock) {
        this(capacity, ttlSeconds, maxBytes, nanoClock, randomInt());
    }

    public ConfCache(int capacity, long ttlSeconds, LongSupplier nanoClock) {
        this(capacity, ttlSeconds, Long.MAX_VALUE, nanoClock);
    }

    public ConfCache(int capacity, long ttlSeconds) {
        this(capacity, ttlSeconds, System::nanoTime);
    }

    public ConfCache(int capacity, long ttlSeconds, long maxBytes) {
        this(capacity, ttlSeconds, maxBytes, System::nanoTime);
    }

    /**
     * 32 random bits from the kernel. {@code /dev/urandom} costs a tenth of a millisecond where
     * {@link SecureRandom}'s first use costs about 30 ms of start-up; it is the fallback.
     */
    static int randomInt() {
        try (InputStream in = Files.newInputStream(URANDOM)) {
            byte[] b = in.readNBytes(4);
            if (b.length == 4) {
                return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // no /dev/urandom here: fall back
        }
        return new SecureRandom().nextInt();
    }

    /** The characters of the names and configs of {@code entries}. */
    public static long characters(List<Chain.Entry> entries) {
        long chars = 0;
        for (Chain.Entry e : entries) {
            chars += (e.name() == null ? 0 : e.name().length()) + (e.config() == null ? 0 : e.config().length());
        }
        return chars;
    }

    /** The heap a chain of these entries holds, estimated from the length of their configs. */
    public static long estimate(List<Chain.Entry> entries) {
        return ENTRY_BYTES + BYTES_PER_CHAR * characters(entries);
    }

    /** The most one entry may hold: a quarter of the budget, so that a config this large still leaves room for others. */
    public long maxEntryBytes() {
        return maxBytes / 4;
    }

    /** Stores {@code chain} and returns its token (an unsigned 32-bit value, never 0). */
    public long put(Chain chain) {
        return put(chain, 0);
    }

    /**
     * Stores {@code chain}, which holds about {@code weight} bytes, evicting the oldest entries while
     * the entries hold more than the budget; returns its token (an unsigned 32-bit value, never 0).
     */
    public synchronized long put(Chain chain, long weight) {
        int token;
        do {
            token = counter.incrementAndGet();
        } while (token == 0);
        Slot slot = new Slot(token, chain, clock.getAsLong() + ttlNanos, weight);
        Slot previous = ring.getAndSet(token & mask, slot);
        if (previous != null) {
            bytes.addAndGet(-previous.bytes); // the ring wrapped over it
        }
        bytes.addAndGet(weight);
        while (bytes.get() > maxBytes && oldest != token) {
            evictOldest();
        }
        return token & 0xFFFF_FFFFL;
    }

    /** Evicts the entry of the oldest token, if it is still there (under the lock). */
    private void evictOldest() {
        int t = oldest;
        oldest = t + 1 == 0 ? 1 : t + 1;
        Slot slot = ring.get(t & mask);
        if (slot != null && slot.token == t && ring.compareAndSet(t & mask, slot, null)) {
            bytes.addAndGet(-slot.bytes);
            evicted.incrementAndGet();
        }
    }

    /** Gives up the older half of the entries (memory ran short); returns how many went. */
    public synchronized int shrink() {
        long before = evicted.get();
        int newest = counter.get();
        int live = newest - oldest + 1;
        for (int i = 0; i < live / 2 + 1 && oldest != newest; i++) {
            evictOldest();
        }
        return (int) (evicted.get() - before);
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
            if (ring.compareAndSet(t & mask, slot, null)) {
                bytes.addAndGet(-slot.bytes);
            }
            return null;
        }
        return slot.chain;
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

    /** The heap the entries hold, by their estimates. */
    public long bytesHeld() {
        return bytes.get();
    }

    /** The budget: the most heap the entries may hold. */
    public long maxBytes() {
        return maxBytes;
    }

    /** Entries evicted so far to stay within the budget (or by {@link #shrink()}). */
    public long evictions() {
        return evicted.get();
    }

    /** The ring's capacity. */
    public int capacity() {
        return mask + 1;
    }
}
