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
    private volatile long lastRefusalLog;
    /** What is recorded for Prometheus; null (nothing recorded) without A6_METRICS_ADDRESS. */
    private volatile Metrics metrics;
    private volatile long lastStallLog;
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
    }

    CallHandler handler() {
        return handler;
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

    /** The runner is about to close the listener: accept may fail from now on, and that is no error. */
    public void stopAccepting() {
        listenerClosing = true;
    }

    /** From now on each connection closes once its call is answered (the drain). */
    public void closeConnectionsAfterCalls() {
        closing = true;
        for (EventLoop loop : loops) {
            loop.wakeupIfElsewhere();
        }
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
        return connections.size() < config.maxConnections();
    }

    void opened(ServerConnection c) {
        connections.add(c);
        Metrics m = metrics;
        if (m != null) {
            m.accepted();
        }
    }

    void closed(ServerConnection c) {
        connections.remove(c);
    }

    void acceptFailed(IOException e) {
        if (!listenerClosing && !closing && !stopped) {
            LOG.log(Level.ERROR, "accept failed on " + config.socket() + "; the runner stops serving", e);
            onAcceptFailure.run();
        }
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
        long now = System.nanoTime();
        if (now - lastRefusalLog > TimeUnit.SECONDS.toNanos(10)) {
            lastRefusalLog = now;
            LOG.log(Level.WARNING, "refusing connections: {0} are open (A6_MAX_CONNECTIONS)", config.maxConnections());
        }
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
                return;
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
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "watchdog failed on a connection", e);
                }
            }
        }
    }
}
