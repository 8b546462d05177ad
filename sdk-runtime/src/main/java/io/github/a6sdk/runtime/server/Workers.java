package io.github.a6sdk.runtime.server;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The threads that run blocking plugins. Platform threads are made on demand, up to {@code max},
 * reused, and end after a minute without work; calls beyond {@code max} wait in line. With
 * {@code A6_THREADS=virtual} (Java 21+) each call gets a virtual thread of its own instead.
 *
 * <p>Each platform worker owns an {@link Exchange} (encoder, buffers, a selector to wait on), so a
 * call served by a reused thread allocates none of them.
 */
final class Workers {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final int max;
    private final boolean virtual;
    private final String threads;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<Consumer<Exchange>> queue = new ArrayDeque<>();
    private int started;
    private int idle;
    private int made;

    Workers(int max, String threads) {
        this.max = max;
        this.threads = threads;
        this.virtual = "virtual".equals(ConnectionThreads.kind(threads));
    }

    /** Runs {@code task} on a worker with that worker's exchange. */
    void submit(Consumer<Exchange> task) {
        if (virtual) {
            ConnectionThreads.start(threads, () -> {
                Exchange exchange = new Exchange();
                try {
                    task.accept(exchange);
                } finally {
                    exchange.close(); // its selector, when the call had to wait on one
                }
            }, "a6-worker");
            return;
        }
        boolean start = false;
        int n;
        lock.lock();
        try {
            queue.addLast(task);
            if (idle > 0) {
                work.signal();
            }
            // A signalled worker takes its task only once it has the lock again: count the waiting tasks,
            // not the signals, or a burst of calls would queue behind one worker.
            if (queue.size() > idle && started < max) {
                started++;
                start = true;
            }
            n = ++made;
        } finally {
            lock.unlock();
        }
        if (start) {
            try {
                ConnectionThreads.start("platform", this::work, "a6-worker-" + n);
            } catch (OutOfMemoryError | RuntimeException e) {
                lock.lock();
                try {
                    started--;
                } finally {
                    lock.unlock();
                }
                throw e;
            }
        }
    }

    /** Platform worker threads alive now. */
    int threads() {
        lock.lock();
        try {
            return started;
        } finally {
            lock.unlock();
        }
    }

    private void work() {
        Exchange exchange = new Exchange();
        try {
            while (true) {
                Consumer<Exchange> task;
                lock.lock();
                try {
                    long wait = IDLE_NANOS;
                    while (queue.isEmpty()) {
                        if (wait <= 0) {
                            started--;
                            return;
                        }
                        idle++;
                        try {
                            wait = work.awaitNanos(wait);
                        } catch (InterruptedException e) {
                            // a late interrupt meant for a call that has ended: not ours
                        } finally {
                            idle--;
                        }
                    }
                    task = queue.pollFirst();
                } finally {
                    lock.unlock();
                }
                try {
                    task.accept(exchange);
                } catch (RuntimeException | Error e) {
                    LOG.log(System.Logger.Level.ERROR, "a worker task failed", e);
                }
            }
        } finally {
            exchange.close();
        }
    }
}
