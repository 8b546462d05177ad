package io.github.a6sdk.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;
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
 */
public final class ConfCache {
    private static final Path URANDOM = Path.of("/dev/urandom");

    private final AtomicReferenceArray<Slot> ring;
    private final int mask;
    private final long ttlNanos;
    private final LongSupplier clock;
    private final AtomicInteger counter;

    private record Slot(int token, Chain chain, long expiresAt) {}

    /**
     * @param capacity the most entries kept, rounded up to a power of two
     * @param ttlSeconds how long an entry lives at least (unless the ring wraps)
     * @param nanoClock the clock entries expire by
     * @param firstToken the first token to hand out (0 is skipped)
     */
    ConfCache(int capacity, long ttlSeconds, LongSupplier nanoClock, int firstToken) {
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
        this.counter = new AtomicInteger(firstToken - 1);
    }

    public ConfCache(int capacity, long ttlSeconds, LongSupplier nanoClock) {
        this(capacity, ttlSeconds, nanoClock, randomInt());
    }

    public ConfCache(int capacity, long ttlSeconds) {
        this(capacity, ttlSeconds, System::nanoTime);
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
