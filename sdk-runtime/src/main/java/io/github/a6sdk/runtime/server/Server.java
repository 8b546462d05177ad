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
                Thread t = new Thread(loop, loop.name());
                t.setDaemon(true);
                t.start();
            }
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
        if (now - lastAccepted < quietNanos) {
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
        for (EventLoop loop : loops) {
            loop.stop();
        }
        for (ServerConnection c : connections) {
            c.close();
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
        connections.remove(c);
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

    /** A non-blocking call held its event loop too long: say so (at most every 10 s). */
    void reportStall(CallState call, String loop, long elapsedNanos) {
        long now = System.nanoTime();
        if (now - lastStallLog < TimeUnit.SECONDS.toNanos(10)) {
            return;
        }
        lastStallLog = now;
        LOG.log(Level.WARNING, "{0} (plugins {1}) has held event loop {2} for {3} ms; every other connection of that"
                + " loop waits meanwhile. A plugin that sleeps, waits on I/O or on a lock must not say"
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
