package io.github.a6sdk.runtime.server;

import io.github.a6sdk.runtime.RunnerConfig;
import io.github.a6sdk.runtime.metrics.Metrics;
import io.github.a6sdk.runtime.transport.Transport;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves the connections of one listening socket.
 *
 * <p>With the JDK transport (whose channels a {@link java.nio.channels.Selector} can watch) there
 * are {@code A6_EVENT_LOOPS} event loops (default: one per CPU) that accept, read and answer;
 * calls of non-blocking plugins run on the loop that read them, calls of blocking plugins on a
 * pool of at most {@code A6_WORKERS} worker threads. So the threads are: the loops, the watchdog,
 * and as many workers as there are blocking calls at once, whatever the number of connections. A
 * transport whose channels cannot be selected (jnr-unixsocket) gets a thread per connection.
 */
public final class Server {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");

    private final RunnerConfig config;
    private final CallHandler handler;
    private final String threads;
    private final Runnable onAcceptFailure;
    private final Set<ServerConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger threadCount = new AtomicInteger();
    private volatile boolean closing;
    /** Dedicated connections on their way back to an event loop (see {@link #undedicate(BlockingConnection, java.nio.channels.SocketChannel)}). */
    private final AtomicInteger handingBack = new AtomicInteger();
    private volatile boolean stopped;
    /** Set before the runner closes the listener: accept failing from then on is expected. */
    private volatile boolean listenerClosing;
    private Workers workers;
    private EventLoop[] loops = new EventLoop[0];
    private Transport.Listener listener;
    private volatile int maxConnections;
    private volatile long acceptPausedUntil;
    private volatile boolean pausedEpisode;
    private long episodeStart;
    private long pauseNanos;
    private int episodePauses;
    static final long PAUSE_MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    static final long PAUSE_MAX_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** What is recorded for Prometheus; null (nothing recorded) without A6_METRICS_ADDRESS. */
    private volatile Metrics metrics;
    private volatile long lastStallLog;
    /** When the last connection was accepted (System.nanoTime); calls on short connections count as traffic. */
    private volatile long lastAccepted = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    /** A6_ALLOWED_PEERS: each accept path calls its admit(channel) once, before any frame (set in start). */
    PeerGate peers;

    /**
     * @param threads {@code A6_THREADS}: "platform", or "virtual" (Java 21+) for the blocking calls
     * @param onAcceptFailure run when accepting fails for good (the runner then stops)
     */
    public Server(RunnerConfig config, CallHandler handler, String threads, Runnable onAcceptFailure) {
        this.config = config;
        this.handler = handler;
        this.threads = threads;
        this.onAcceptFailure = onAcceptFailure;
        this.maxConnections = config.maxConnections();
    }

    CallHandler handler() {
        return handler;
    }

    /** This runner's repeated log lines. */
    RepeatedLog.Kinds logs() {
        return handler.logs();
    }

    /** Records into {@code m} from now on ({@code null}: nothing is recorded). */
    public void useMetrics(Metrics m) {
        this.metrics = m;
        handler.useMetrics(m);
    }

    Metrics metrics() {
        return metrics;
    }

    Workers workers() {
        return workers;
    }

    /** Starts serving {@code listening}. */
    public void start(Transport.Listener listening) throws IOException {
        this.listener = listening;
        fitToDescriptors();
        peers = new PeerGate(config.allowedPeers(), listening, this::metrics);
        ServerSocketChannel selectable = listening.selectable();
        if (selectable != null) {
            selectable.configureBlocking(false);
            workers = new Workers(config.workers(), threads);
            loops = new EventLoop[config.eventLoops()];
            for (int i = 0; i < loops.length; i++) {
                loops[i] = new EventLoop(this, "a6-loop-" + (i + 1));
                loops[i].listen(selectable);
            }
            for (EventLoop loop : loops) {
                loop.start();
            }
            Thread monitor = new Thread(this::monitor, "a6-loop-monitor");
            monitor.setDaemon(true);
            monitor.start();
        } else {
            Thread acceptor = new Thread(this::acceptLoop, "a6-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
        }
        if (config.callTimeoutMillis() > 0) {
            Thread watchdog = new Thread(this::watchdog, "a6-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }
    }

    /** How connections are served, for the start line. */
    public String model() {
        if (loops.length > 0) {
            String workerThreads = "virtual".equals(ConnectionThreads.kind(threads))
                    ? "a virtual thread per blocking call" : "at most " + config.workers() + " platform worker threads";
            return loops.length + " event loop" + (loops.length == 1 ? "" : "s") + ", blocking plugins on " + workerThreads;
        }
        return "a " + ConnectionThreads.kind(threads) + " thread per connection";
    }

    /**
     * The runner is about to close the listener: accept may fail from now on, and that is no error.
     * The event loops first accept every connection already waiting in the listener's backlog (a
     * client that connected before the path was let go must be served, not reset); returns once they
     * have (at most {@code waitMillis}).
     */
    public void stopAccepting(long waitMillis) {
        listenerClosing = true;
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(loops.length);
        for (EventLoop loop : loops) {
            loop.execute(() -> {
                loop.acceptAll();
                done.countDown();
            });
        }
        try {
            if (loops.length > 0) {
                done.await(waitMillis, TimeUnit.MILLISECONDS);
            } else {
                // The acceptor thread blocks in accept(): give it a moment for what is in the backlog.
                Thread.sleep(Math.min(waitMillis, 5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** From now on each connection closes once its call is answered (the drain). */
    public void closeConnectionsAfterCalls() {
        closing = true;
        for (EventLoop loop : loops) {
            loop.wakeupIfElsewhere();
        }
    }

    /**
     * Whether the runner has had no traffic for {@code quietNanos}: no call is running or arriving, and
     * none ended and no connection was accepted in that time. (A call in flight counts as traffic: its
     * connection is likely to carry the next call.)
     */
    public boolean isQuiet(long now, long quietNanos) {
        if (now - lastAccepted < quietNanos || handingBack.get() > 0) {
            return false;
        }
        for (ServerConnection c : connections) {
            if (c.isBusy() || now - c.quietSince() < quietNanos) {
                return false;
            }
        }
        return true;
    }

    boolean isClosingConnections() {
        return closing;
    }

    /** Open connections. */
    public Collection<ServerConnection> connections() {
        return Collections.unmodifiableSet(connections);
    }

    /** Ends the loops and the watchdog and closes whatever connection is left. */
    public void stop() {
        stopped = true;
        synchronized (this) {
            for (LoopThread t : spares) {
                java.util.concurrent.locks.LockSupport.unpark(t);
            }
        }
        for (EventLoop loop : loops) {
            loop.stop();
        }
        for (ServerConnection c : connections) {
            c.close();
            connections.remove(c); // (a connection's own thread may take a moment to notice)
        }
    }

    boolean admit() {
        return connections.size() < maxConnections;
    }

    /** The most connections served at once: A6_MAX_CONNECTIONS, or less when the open-files limit allows less. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Works out how many connections the open-files limit leaves room for, and says so once if that is fewer than asked. */
    private void fitToDescriptors() {
        logs().flush(System.nanoTime()); // loaded now: when descriptors run out, no class can be loaded from a folder
        long limit = Descriptors.limit();
        int open = Descriptors.open();
        if (limit <= 0 || open < 0) {
            return; // not Linux: A6_MAX_CONNECTIONS as set
        }
        long room = limit - open - Descriptors.RESERVE;
        if (room < config.maxConnections()) {
            maxConnections = (int) Math.max(1, room);
            LOG.log(Level.WARNING, "the open-files limit is {0} (ulimit -n, systemd''s LimitNOFILE) and {1} are in use:"
                    + " serving at most {2} connections at once, not A6_MAX_CONNECTIONS={3}, keeping {4} for the plugins"
                    + " and the JVM. Raise the limit to serve more (README, \"Reliability\")", String.valueOf(limit),
                    String.valueOf(open), String.valueOf(maxConnections), String.valueOf(config.maxConnections()),
                    String.valueOf(Descriptors.RESERVE));
        }
    }

    void opened(ServerConnection c) {
        lastAccepted = System.nanoTime();
        if (pausedEpisode) {
            endAcceptPause();
        }
        connections.add(c);
        Metrics m = metrics;
        if (m != null) {
            m.accepted();
        }
    }

    void closed(ServerConnection c) {
        if (connections.remove(c) && c instanceof BlockingConnection b && b.dedicated) {
            dedicatedCount.decrementAndGet();
        }
        if (acceptPausedUntil != 0) {
            acceptPausedUntil = System.nanoTime(); // a descriptor is free: try again now
            for (EventLoop loop : loops) {
                loop.wakeupIfElsewhere();
            }
        }
    }

    /** Until when (System.nanoTime) accepting is paused after a failure for want of resources; 0: not paused. */
    long acceptPausedUntil() {
        return acceptPausedUntil;
    }

    /**
     * Accepting failed. If the listening socket is gone (closed), the runner can serve no one new and
     * stops. Anything else is a want of resources that heals (too many open files in the process or
     * the system, no buffer space): the runner keeps serving the connections it has and pauses
     * accepting, 10 ms and then twice as long each time it fails again (at most 1 s), or until one of
     * its connections closes; one line per episode, and a count in the metrics.
     */
    void acceptFailed(IOException e) {
        if (listenerClosing || closing || stopped) {
            return;
        }
        Transport.Listener l = listener;
        if (l != null && !l.isOpen()) {
            LOG.log(Level.ERROR, "accept failed on " + config.socket() + ", and the listening socket is closed; the runner"
                    + " stops serving", e);
            onAcceptFailure.run();
            return;
        }
        long pause;
        synchronized (this) {
            long now = System.nanoTime();
            if (!pausedEpisode) {
                pausedEpisode = true;
                episodeStart = now;
                pauseNanos = PAUSE_MIN_NANOS;
                episodePauses = 0;
                Metrics m = metrics;
                if (m != null) {
                    m.acceptPaused();
                }
                LOG.log(Level.WARNING, "cannot accept connections on {0}: {1}. Holding {2} connections (at most {3}; open-files"
                        + " limit {4}): serving them, accepting again as soon as one closes or after a pause (10 ms,"
                        + " growing to 1 s)", config.socket(), String.valueOf(e.getMessage()), String.valueOf(connections.size()),
                        String.valueOf(maxConnections), Descriptors.limitText());
            } else {
                pauseNanos = Math.min(PAUSE_MAX_NANOS, pauseNanos * 2);
            }
            episodePauses++;
            pause = pauseNanos;
            acceptPausedUntil = now + pause;
        }
        for (EventLoop loop : loops) {
            loop.execute(loop::pauseAccepting);
        }
    }

    /** A connection was accepted after a pause: the episode is over. */
    private synchronized void endAcceptPause() {
        if (!pausedEpisode) {
            return;
        }
        pausedEpisode = false;
        acceptPausedUntil = 0;
        LOG.log(Level.INFO, "accepting connections again on {0} after {1} ms ({2} pauses); {3} connections open",
                config.socket(), String.valueOf(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - episodeStart)),
                String.valueOf(episodePauses), String.valueOf(connections.size()));
    }

    /** The JVM ran out of heap on {@code where}: see MemoryGuard. */
    void outOfMemory(OutOfMemoryError e, String where) {
        handler.outOfMemory(e, where);
    }

    void refuse(ByteChannel channel) {
        Metrics m = metrics;
        if (m != null) {
            m.refused();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // refused anyway
        }
        logs().refused.log(Level.WARNING, "refusing a connection: {0} are open, the most this runner serves at once"
                + " ({1})", String.valueOf(maxConnections), maxConnections < config.maxConnections()
                        ? "as the open-files limit allows" : "A6_MAX_CONNECTIONS");
    }

    /**
     * A call of plugins that all say {@code blocking = false} ran on the thread of an event loop for
     * too long: say so (at most every 10 s). The loop itself went to another thread meanwhile (see
     * {@link #monitor}). Not for a chain with a plugin that may block (it is only logged once it is
     * learned), nor for one already learned: {@link KnownBlocking} said it then, one warning per event.
     */
    void reportStall(CallState call, String loop, long elapsedNanos) {
        io.github.a6sdk.runtime.Chain chain = call.chain;
        if (chain == null || chain.blocking() || knownBlocking.blocks(chain)) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastStallLog < TimeUnit.SECONDS.toNanos(10)) {
            return;
        }
        lastStallLog = now;
        LOG.log(Level.WARNING, "{0} (plugins {1}) has held event loop {2} for {3} ms (the loop went to another"
                + " thread meanwhile). A plugin that sleeps, waits on I/O or on a lock should not say"
                + " @ApisixPlugin(blocking = false)", call.name(), call.plugins(), loop,
                String.valueOf(TimeUnit.NANOSECONDS.toMillis(elapsedNanos)));
    }

    /** The blocking transport: one thread per connection. */
    private void acceptLoop() {
        while (true) {
            ByteChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                acceptFailed(e);
                if (listenerClosing || closing || stopped || !listener.isOpen()) {
                    return;
                }
                pauseAcceptor();
                continue;
            }
            if (!peers.admit(channel)) {
                continue;
            }
            if (!admit()) {
                refuse(channel);
                continue;
            }
            BlockingConnection connection = new BlockingConnection(this, channel);
            opened(connection);
            try {
                ConnectionThreads.start(threads, connection, "a6-conn-" + threadCount.incrementAndGet());
            } catch (OutOfMemoryError | RuntimeException e) {
                // No thread for it (ulimit, memory): refuse this one, keep accepting.
                connections.remove(connection);
                connection.close();
                LOG.log(Level.ERROR, "cannot start a thread for a new connection ({0} open): {1}",
                        connections.size(), e.toString());
            }
        }
    }

    // ---- busy connections: a thread of their own ----

    /** Connections moved off the event loops to threads of their own (at most {@code A6_DEDICATED_THREADS}). */
    private final AtomicInteger dedicatedCount = new AtomicInteger();

    /**
     * Takes one of the dedicated threads for a busy connection, if one is left, the runner is not
     * stopping, and no more connections are active than there are dedicated threads: a thread each
     * serves a few busy connections best (one system call each way per call), event loops serve many.
     */
    boolean reserveDedicated() {
        int max = config.dedicatedThreads();
        if (recentlyActive > max || undedicating) {
            return false;
        }
        while (!closing && !stopped) {
            int n = dedicatedCount.get();
            if (n >= max) {
                return false;
            }
            if (dedicatedCount.compareAndSet(n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    void unreserveDedicated() {
        dedicatedCount.decrementAndGet();
    }

    /** Dedicated threads in use. */
    int dedicatedThreads() {
        return dedicatedCount.get();
    }

    /** {@code from}, a busy loop connection whose channel is blocking again, goes on on a thread of its own. */
    void dedicate(LoopConnection from, java.nio.channels.SocketChannel channel) {
        BlockingConnection c = new BlockingConnection(this, channel, true);
        connections.add(c);
        connections.remove(from);
        try {
            ConnectionThreads.start(threads, c, "a6-conn-" + threadCount.incrementAndGet());
        } catch (OutOfMemoryError | RuntimeException e) {
            LOG.log(Level.ERROR, "cannot start a thread for a busy connection: {0}; closing it", e.toString());
            c.close();
            closed(c);
        }
    }

    /**
     * Whether many more connections are active than there are dedicated threads (twice as many: between
     * the two, connections neither move to threads nor back, so that a count near the cap causes no churn):
     * dedicated ones go back to the loops.
     */
    boolean tooManyActiveForDedicated() {
        return recentlyActive > 2 * config.dedicatedThreads() || undedicating;
    }

    /**
     * The runner is stopping: busy connections go back to the event loops after their call in flight,
     * and none leaves them any more. A newer runner is likely starting on a machine that APISIX keeps
     * busy: the old one's threads should not compete with its start (the scheduler shares the CPU by
     * thread), and the loops retire connections as they come.
     */
    public void undedicate() {
        undedicating = true;
    }

    /** {@code from}, a dedicated connection whose channel is non-blocking again, goes back to an event loop. */
    void undedicate(BlockingConnection from, java.nio.channels.SocketChannel channel) {
        EventLoop loop = loops[(int) (threadCount.incrementAndGet() & 0x7fffffff) % loops.length];
        // On its way to the loop the connection is in no set: counted here, so that isQuiet does not
        // take a busy runner whose connections are all being handed back for an idle one.
        handingBack.incrementAndGet();
        if (connections.remove(from)) {
            dedicatedCount.decrementAndGet();
        }
        loop.execute(() -> {
            try {
                loop.adopt(channel);
            } finally {
                handingBack.decrementAndGet();
            }
        });
    }

    /** {@code c}, a connection an event loop took back from a dedicated thread, is served again. */
    void adopted(ServerConnection c) {
        connections.add(c);
    }

    /**
     * A dedicated connection that has carried no call for {@link #DEDICATED_IDLE_NANOS} gives its thread
     * back: it gets the goodbye (APISIX drops it from its pool, and a call raced onto it is tried again),
     * and APISIX's next connection starts on an event loop.
     */
    private void retireIdleDedicated(long now) {
        int active = 0;
        for (ServerConnection c : connections) {
            if (c.isBusy() || now - c.quietSince() < ACTIVE_NANOS) {
                active++;
            }
        }
        recentlyActive = active;
        if (dedicatedCount.get() == 0) {
            return;
        }
        for (ServerConnection c : connections) {
            if (c instanceof BlockingConnection b && b.dedicated && !b.isBusy() && now - b.quietSince() > DEDICATED_IDLE_NANOS) {
                b.sayGoodbye();
            }
        }
    }

    /** Connections that carried a call in the last {@link #ACTIVE_NANOS}, counted every 100 ms. */
    private volatile int recentlyActive;
    private volatile boolean undedicating;
    static final long ACTIVE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** How long a dedicated connection may sit idle before its thread is given back. */
    static final long DEDICATED_IDLE_NANOS = TimeUnit.SECONDS.toNanos(2);

    // ---- calls that block on an event loop's thread ----

    /** Threads that served a loop and wait to take one over (most recent last). */
    private final java.util.ArrayDeque<LoopThread> spares = new java.util.ArrayDeque<>();
    private int spareCount;
    /** Plugins seen to block an event loop's thread: their calls go to workers from then on. */
    private final KnownBlocking knownBlocking = new KnownBlocking();

    /** Whether the calls of {@code chain} go to a worker: one of its plugins has been seen to block. */
    boolean runsOnWorker(io.github.a6sdk.runtime.Chain chain) {
        return knownBlocking.blocks(chain);
    }

    /**
     * A waiting loop thread, or a new one not started yet: the thread that takes a loop over (it starts
     * once it is given the loop, see {@link LoopThread#serve}).
     */
    private synchronized LoopThread spare() {
        LoopThread t = spares.pollLast();
        return t != null ? t : new LoopThread(this, null, "a6-spare");
    }

    /** A spare taken for a takeover that did not happen: it waits again (or, never started, is dropped). */
    private void unusedSpare(LoopThread t) {
        if (t.getState() == Thread.State.NEW) {
            return;
        }
        synchronized (this) {
            if (!spares.contains(t)) {
                spares.addLast(t);
            }
        }
    }

    /**
     * {@code t} has no loop to serve: it waits for one for at most {@code nanos}. Returns whether it
     * got one ({@code false}: time to end).
     */
    boolean parkSpare(LoopThread t, long nanos) {
        synchronized (this) {
            if (t.hasNext()) {
                return true;
            }
            if (stopped) {
                return false;
            }
            spares.addLast(t);
        }
        long deadline = System.nanoTime() + nanos;
        while (!t.hasNext() && !stopped) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                synchronized (this) {
                    if (t.hasNext()) {
                        return true;
                    }
                    spares.remove(t);
                    return false;
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(this, left);
        }
        synchronized (this) {
            spares.remove(t);
        }
        return t.hasNext();
    }

    /**
     * Every millisecond while calls run on the event loops' threads: a loop whose thread has been in
     * one call for longer than {@link EventLoop#TAKEOVER_NANOS} is given to another thread, and the
     * plugin that was running is known to block from then on (its later calls go to workers).
     */
    private void monitor() {
        // Loaded now, not at the first takeover: that may come while the process is out of descriptors,
        // when a class still to be read from the class path (a directory, in tests) could not be.
        new EventLoop.Caught(null, Thread.State.RUNNABLE, new StackTraceElement[0], 0).heldNanos();
        long idleSince = System.nanoTime();
        long lastIdleCheck = idleSince;
        while (!stopped) {
            long now = System.nanoTime();
            boolean busy = false;
            for (EventLoop loop : loops) {
                long held = loop.inlineNanos(now);
                if (held > 0) {
                    busy = true;
                }
                if (held < EventLoop.TAKEOVER_NANOS) {
                    continue;
                }
                EventLoop.Caught caught = loop.takeOverIfStuck(now, this::spare, this::unusedSpare);
                if (caught != null) {
                    try {
                        knownBlocking.learn(caught.chain(), caught.state(), caught.stack(), loop.name(), caught.heldNanos());
                    } catch (RuntimeException | LinkageError e) {
                        // Not learning a plugin costs a takeover next time; the monitor must go on.
                        LOG.log(Level.WARNING, "could not learn which plugin held event loop {0}: {1}", loop.name(), e.toString());
                    }
                }
            }
            if (busy) {
                idleSince = now;
            }
            if (now - lastIdleCheck > 100_000_000L) {
                lastIdleCheck = now;
                retireIdleDedicated(now);
            }
            // 1 ms between looks while calls run; once nothing has run inline for a second, 20 ms.
            long pause = now - idleSince < java.util.concurrent.TimeUnit.SECONDS.toNanos(1) ? 1_000_000 : 20_000_000;
            java.util.concurrent.locks.LockSupport.parkNanos(pause);
        }
    }

    /** The acceptor thread of the blocking transport waits out an accept pause (or until a connection closes). */
    private void pauseAcceptor() {
        while (true) {
            long left = acceptPausedUntil - System.nanoTime();
            if (acceptPausedUntil == 0 || left <= 0 || stopped) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(5)));
        }
    }

    /** Gives up on calls that run past {@code A6_CALL_TIMEOUT_MS}, and reports loops held by a call. */
    private void watchdog() {
        long limitNanos = TimeUnit.MILLISECONDS.toNanos(config.callTimeoutMillis());
        long pollMillis = Math.max(10, Math.min(config.callTimeoutMillis() / 4, loops.length > 0 ? 100 : 1000));
        while (!stopped) {
            try {
                Thread.sleep(pollMillis);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (ServerConnection c : connections) {
                try {
                    c.checkDeadline(now, limitNanos);
                } catch (RuntimeException | Error e) {
                    LOG.log(Level.ERROR, "watchdog failed on a connection", e);
                }
            }
            try {
                logs().flush(now);
            } catch (RuntimeException | Error e) {
                LOG.log(Level.ERROR, "watchdog failed to write a log summary", e);
            }
        }
    }
}
