package io.github.a6sdk.runtime.server;

import io.github.a6sdk.runtime.ConfCache;
import java.lang.System.Logger.Level;

/**
 * What the runner does when the JVM runs out of heap. One allocation too large for the heap (a huge
 * body) leaves the heap with room once the garbage is collected: that call fails, nothing else
 * changes. A heap that is full: the route configs give way (the older half is dropped, and APISIX
 * prepares those routes again), and if the heap is still nearly full after that, the runner exits
 * with status 3 and one line that says why, so that APISIX starts it again, rather than staying up
 * half-dead.
 */
final class MemoryGuard {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");
    /** At most this full after a collection: the heap has room, the allocation that failed was just too large. */
    static final double ROOMY = 0.7;
    /** Still this full after the configs gave way and a collection: the heap is exhausted for good. */
    static final double FULL = 0.9;
    /** The exit status of a runner that ran out of memory for good. */
    static final int EXIT_STATUS = 3;

    private final ConfCache cache;
    private final Runnable exit;
    private volatile boolean exiting;

    MemoryGuard(ConfCache cache, Runnable exit) {
        this.cache = cache;
        this.exit = exit;
    }

    MemoryGuard(ConfCache cache) {
        this(cache, () -> {
            Thread t = new Thread(() -> System.exit(EXIT_STATUS), "a6-out-of-memory");
            t.start();
        });
    }

    /** {@code e} was thrown on {@code where} (a thread, a call): free what can be freed, or exit. */
    void outOfMemory(OutOfMemoryError e, String where) {
        if (exiting) {
            return;
        }
        Runtime rt = Runtime.getRuntime();
        long max = rt.maxMemory();
        System.gc();
        long used = rt.totalMemory() - rt.freeMemory();
        if (used <= ROOMY * max) {
            // One allocation too large for the heap (a huge body, say): the heap itself is fine.
            LOG.log(Level.ERROR, "out of memory on {0} ({1}), with the heap {2}% full of {3} MiB after a collection: one"
                    + " allocation was too large; nothing else is given up", where, e.getMessage(),
                    String.valueOf(used * 100 / max), String.valueOf(max >> 20));
            return;
        }
        int dropped = cache.shrink();
        System.gc();
        used = rt.totalMemory() - rt.freeMemory();
        if (used > FULL * max) {
            exiting = true;
            LOG.log(Level.ERROR, "out of memory on {0} ({1}), and the heap is still {2}% full after dropping {3} route"
                    + " configs: exiting with status {4} so that APISIX starts the runner again. Give it more heap (-Xmx,"
                    + " now {5} MiB) or keep fewer route configs (A6_CONF_CACHE_BYTES)", where, e.getMessage(),
                    String.valueOf(used * 100 / max), String.valueOf(dropped), String.valueOf(EXIT_STATUS),
                    String.valueOf(max >> 20));
            exit.run();
            return;
        }
        LOG.log(Level.ERROR, "out of memory on {0} ({1}): dropped {2} route configs (APISIX prepares them again); heap"
                + " now {3}% full of {4} MiB", where, e.getMessage(), String.valueOf(dropped),
                String.valueOf(used * 100 / max), String.valueOf(max >> 20));
    }
}
