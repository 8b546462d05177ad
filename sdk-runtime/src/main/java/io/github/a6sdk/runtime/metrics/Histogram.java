package io.github.a6sdk.runtime.metrics;

import java.math.BigDecimal;

/**
 * A duration histogram on {@link StripedCells}: one cell per bucket (not cumulative; the writer
 * adds them up) plus the sum in nanoseconds. Observing is a short scan of the bounds and two
 * atomic adds in the caller's stripe.
 *
 * <p>The bounds cover a plugin that takes microseconds up to APISIX's 60 s timeout: 10 µs to 1 ms in
 * 1-2.5-5 steps for plugins that only look at headers, then up to 10 s for plugins that call out,
 * then 30 s and 60 s for calls that reach the timeouts ({@code A6_CALL_TIMEOUT_MS} defaults to 55 s).
 */
final class Histogram {
    /** The upper bounds ({@code le}) in seconds, as written; {@code +Inf} follows. */
    static final String[] BOUNDS = {
        "0.00001", "0.000025", "0.00005", "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
        "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30", "60",
    };
    private static final long[] BOUND_NANOS = new long[BOUNDS.length];

    static {
        for (int i = 0; i < BOUNDS.length; i++) {
            BOUND_NANOS[i] = new BigDecimal(BOUNDS[i]).movePointRight(9).longValueExact();
        }
    }

    /** Cells 0..BOUNDS.length: the buckets, the last one +Inf; then the sum. */
    private static final int SUM = BOUNDS.length + 1;

    private final StripedCells cells = new StripedCells(BOUNDS.length + 2);

    void observe(long nanos) {
        long v = Math.max(0, nanos);
        int b = 0;
        while (b < BOUND_NANOS.length && v > BOUND_NANOS[b]) {
            b++;
        }
        cells.addWithSum(b, SUM, v);
    }

    /** The bucket counts, each bucket on its own (index BOUNDS.length is +Inf). */
    long[] buckets() {
        long[] out = new long[BOUNDS.length + 1];
        for (int i = 0; i < out.length; i++) {
            out[i] = cells.sum(i);
        }
        return out;
    }

    long sumNanos() {
        return cells.sum(SUM);
    }
}
