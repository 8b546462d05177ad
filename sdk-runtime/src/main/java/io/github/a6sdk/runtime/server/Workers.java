package io.github.a6sdk.runtime.server;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The threads that run blocking plugins. Platform threads are made on demand, up to {@code max},
 * reused, and end after {@link #IDLE_NANOS} without work; calls beyond {@code max} wait in line.
 * With {@code A6_THREADS=virtual} (Java 21+) each call gets a virtual thread of its own instead.
 *
 * <p>The worker that went idle last is the first to get work again (a stack, as Go's scheduler
 * and Jetty's reserved threads do), so after a burst of blocking calls the workers beyond what the
 * steady load needs stay idle, time out and give their stacks back; handing work to the longest
 * idle worker first would keep every one of them alive under any trickle of calls.
 *
 * <p>Each platform worker owns an {@link Exchange} (encoder, buffers, a selector to wait on), so a
 * call served by a reused thread allocates none of them.
 */
final class Workers {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");
    /** A worker idle this long ends (a new thread costs some 50 µs; its stack and malloc arena, RSS). */
    static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final int max;
    private final boolean virtual;
    private final String threads;
    private final ReentrantLock lock = new ReentrantLock();
    /** Idle workers, the last one to go idle first. */
    private final ArrayDeque<Worker> idle = new ArrayDeque<>();
    /** Calls waiting for a worker (all {@code max} are busy). */
    private final ArrayDeque<Consumer<Exchange>> queue = new ArrayDeque<>();
    private int started;
    private int made;

    /** One idle platform worker: woken with its next task in hand. */
    private final class Worker {
        final Condition wake = lock.newCondition();
        Consumer<Exchange> task;
    }

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
        int n;
        lock.lock();
        try {
            Worker w = idle.pollFirst();
            if (w != null) {
                w.task = task;
                w.wake.signal();
                return;
            }
            if (started >= max) {
                queue.addLast(task);
                return;
            }
            started++;
            n = ++made;
        } finally {
            lock.unlock();
        }
        try {
            ConnectionThreads.start("platform", () -> work(task), "a6-worker-" + n);
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

    /** Platform worker threads alive now. */
    int threads() {
        lock.lock();
        try {
            return started;
        } finally {
            lock.unlock();
        }
    }

    private void work(Consumer<Exchange> first) {
        Exchange exchange = new Exchange();
        Worker me = new Worker();
        Consumer<Exchange> task = first;
        try {
            while (task != null) {
                try {
                    task.accept(exchange);
                } catch (RuntimeException | Error e) {
                    LOG.log(System.Logger.Level.ERROR, "a worker task failed", e);
                }
                task = next(me);
            }
        } finally {
            exchange.close();
        }
    }

    /** The worker's next task: one waiting in line, or one handed to it while idle; null once it timed out. */
    private Consumer<Exchange> next(Worker me) {
        lock.lock();
        try {
            Consumer<Exchange> task = queue.pollFirst();
            if (task != null) {
                return task;
            }
            idle.addFirst(me);
            long wait = IDLE_NANOS;
            while (me.task == null) {
                if (wait <= 0) {
                    idle.removeLastOccurrence(me); // the longest idle: at the bottom of the stack
                    started--;
                    return null;
                }
                try {
                    wait = me.wake.awaitNanos(wait);
                } catch (InterruptedException e) {
                    // a late interrupt meant for a call that has ended: not ours
                }
            }
            task = me.task;
            me.task = null;
            return task;
        } finally {
            lock.unlock();
        }
    }
}
