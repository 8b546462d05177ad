package io.github.a6sdk.runtime.metrics;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Lock-free, allocation-free counters for the call path: {@code slots} longs, each spread over
 * {@link #STRIPES} stripes. A thread adds to its own stripe (chosen by thread id), so connections on
 * different cores do not fight over one cache line; a scrape sums the stripes. Between two stripes
 * lie at least 8 unused longs (a 64-byte cache line), so stripes never share a line.
 *
 * <p>Adding is one atomic add on a line that is, in the common case, owned by the calling core:
 * no lock, no CAS loop, no allocation. Reading is a sum over the stripes; it may miss adds in
 * flight, which a scrape every few seconds never notices.
 */
final class StripedCells {
    /** A power of two: twice the processors, at least 2, at most 64. */
    static final int STRIPES = stripes(Runtime.getRuntime().availableProcessors());

    private final AtomicLongArray cells;
    private final int slots;
    private final int stride;

    StripedCells(int slots) {
        this.slots = slots;
        this.stride = ((slots + 7) & ~7) + 8;
        this.cells = new AtomicLongArray(STRIPES * stride);
    }

    static int stripes(int processors) {
        int want = Math.max(2, Math.min(64, processors * 2));
        return Integer.highestOneBit(want - 1) << 1;
    }

    /** The first cell of the calling thread's stripe. */
    @SuppressWarnings("deprecation") // Thread.threadId() is Java 19+; getId() is the same number
    private int base() {
        return ((int) Thread.currentThread().getId() & (STRIPES - 1)) * stride;
    }

    void add(int slot, long delta) {
        cells.getAndAdd(base() + slot, delta);
    }

    /** Adds 1 to {@code countSlot} and {@code value} to {@code sumSlot}, in one stripe (a histogram's observe). */
    void addWithSum(int countSlot, int sumSlot, long value) {
        int base = base();
        cells.getAndAdd(base + countSlot, 1);
        cells.getAndAdd(base + sumSlot, value);
    }

    long sum(int slot) {
        long s = 0;
        for (int i = 0; i < STRIPES; i++) {
            s += cells.get(i * stride + slot);
        }
        return s;
    }

    int slots() {
        return slots;
    }
}
