package io.github.a6sdk.examples;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.RequestFilter;
import io.github.a6sdk.api.RouteState;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A fixed-window rate limit per route: at most {@code limit} requests per {@code windowSeconds},
 * then 429. Route config: {@code {"limit":100,"windowSeconds":1}}.
 *
 * <p>What is safe to share: this plugin instance serves every route on every connection at once,
 * so it keeps no state of its own. The counter lives in the config record, which the runtime
 * parses once per route configuration (each PrepareConf) and shares between all connections; it
 * is an {@link AtomicLong}-based window, safe for concurrent calls. A route whose config changes
 * gets a new record, hence a fresh counter.
 */
@ApisixPlugin(name = "rate-limit")
public final class RateLimit implements RequestFilter<RateLimit.Config> {

    /**
     * @param limit requests allowed per window; at least 1
     * @param windowSeconds window length; at least 1
     * @param window per-route state, created here and never read from JSON
     */
    public record Config(int limit, int windowSeconds, @RouteState Window window) {
        public Config {
            if (limit < 1) {
                throw new IllegalArgumentException("limit must be at least 1, got " + limit);
            }
            if (windowSeconds < 1) {
                throw new IllegalArgumentException("windowSeconds must be at least 1, got " + windowSeconds);
            }
            window = new Window(limit, windowSeconds * 1_000_000_000L, System::nanoTime);
        }
    }

    @Override
    public void filter(Config config, HttpRequest request, HttpResponse response) {
        long retryAfterNanos = config.window().tryAcquire();
        if (retryAfterNanos > 0) {
            response.setStatus(429);
            response.setHeader("Retry-After", String.valueOf(Math.max(1, retryAfterNanos / 1_000_000_000L)));
            response.setBody("rate limit exceeded");
        }
    }

    /** A fixed window counter, lock-free: the window start and the count share one atomic step. */
    public static final class Window {
        private final int limit;
        private final long lengthNanos;
        private final LongSupplier clock;
        private final AtomicLong start;
        private final AtomicLong count = new AtomicLong();

        public Window(int limit, long lengthNanos, LongSupplier clock) {
            this.limit = limit;
            this.lengthNanos = lengthNanos;
            this.clock = clock;
            this.start = new AtomicLong(clock.getAsLong());
        }

        /** Returns 0 when the request may pass, else the nanoseconds until the window ends. */
        public long tryAcquire() {
            long now = clock.getAsLong();
            long s = start.get();
            if (now - s >= lengthNanos && start.compareAndSet(s, now)) {
                count.set(0);
            }
            if (count.incrementAndGet() <= limit) {
                return 0;
            }
            return Math.max(1, start.get() + lengthNanos - now);
        }
    }
}
