package io.github.a6sdk.runtime;

import io.github.a6sdk.runtime.metrics.Metrics;
import io.github.a6sdk.runtime.transport.JdkUnixTransport;
import io.github.a6sdk.runtime.transport.Transport;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The plugin runner: listens on the unix socket, serves each connection on its own thread, and
 * shuts down by draining calls in flight.
 */
public final class Runner implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");
    /** {@code A6_THREADS}: "platform" (default) or "virtual" (Java 21+, see ConnectionThreads). */
    static final String THREADS = System.getenv().getOrDefault("A6_THREADS", "platform");

    private final RunnerConfig config;
    private final PluginCatalog catalog;
    private final ConfCache cache;
    private final Transport transport;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger threadCount = new AtomicInteger();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    private Transport.Listener listener;
    private Thread acceptor;
    private long lastRefusalLog;
    /** Set in start() when A6_METRICS_ADDRESS is; null (nothing recorded) otherwise. */
    private Metrics metrics;

    public Runner(RunnerConfig config, PluginCatalog catalog, Transport transport) {
        this.config = config;
        this.catalog = catalog;
        this.transport = transport;
        this.cache = new ConfCache(config.confCacheSize(), config.confTtlSeconds());
    }

    public Runner(RunnerConfig config, PluginCatalog catalog) {
        this(config, catalog, new JdkUnixTransport());
    }

    PluginCatalog catalog() {
        return catalog;
    }

    ConfCache cache() {
        return cache;
    }

    boolean isStopping() {
        return stopping;
    }

    /** What is recorded for Prometheus, or {@code null} when A6_METRICS_ADDRESS is unset (or unusable). */
    public Metrics metrics() {
        return metrics;
    }

    public Path socket() {
        return config.socket();
    }

    /** "platform" or "virtual": the threads that serve connections. */
    public String threadKind() {
        return ConnectionThreads.kind(THREADS);
    }

    public String transportName() {
        return transport.name();
    }

    /** Binds the socket (replacing a stale socket file) and starts accepting. */
    public Runner start() throws IOException {
        Path path = config.socket();
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (!isSocketFile(path)) {
                throw new IOException(path + " exists and is not a socket; not replacing it. Remove it or choose"
                        + " another APISIX_LISTEN_ADDRESS");
            }
            if (JdkUnixTransport.isLive(path)) {
                throw new IOException("another process is serving " + path + "; stop it or choose another"
                        + " APISIX_LISTEN_ADDRESS");
            }
            Files.delete(path);
            LOG.log(Level.INFO, "removed stale socket file {0}", path);
        }
        listener = transport.listen(path);
        try {
            Files.setPosixFilePermissions(path, permissions(config.socketMode()));
        } catch (IOException | RuntimeException e) {
            listener.close();
            Files.deleteIfExists(path);
            throw e;
        }
        metrics = Metrics.start(config.metricsAddress(), catalog, () -> !stopping, connections::size, cache::size, transportName(), threadKind());
        acceptor = new Thread(this::acceptLoop, "a6-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        if (config.callTimeoutMillis() > 0) {
            Thread watchdog = new Thread(this::watchdog, "a6-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }
        return this;
    }

    /** Whether {@code path} is a unix socket (or a file we cannot classify, which bind then judges). */
    private static boolean isSocketFile(Path path) {
        try {
            Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return !(mode instanceof Integer) || (((Integer) mode) & 0170000) == 0140000;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return true;
        }
    }

    /** Gives up on calls that run past {@code A6_CALL_TIMEOUT_MS} (see {@link Connection#checkDeadline}). */
    private void watchdog() {
        long limitNanos = TimeUnit.MILLISECONDS.toNanos(config.callTimeoutMillis());
        long pollMillis = Math.max(10, Math.min(config.callTimeoutMillis() / 4, 1000));
        while (!stopping) {
            try {
                Thread.sleep(pollMillis);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Connection c : connections) {
                try {
                    c.checkDeadline(now, limitNanos);
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "watchdog failed on a connection", e);
                }
            }
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(order[bit]);
            }
        }
        return set;
    }

    private void acceptLoop() {
        while (!stopping) {
            ByteChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                if (!stopping) {
                    LOG.log(Level.ERROR, "accept failed on " + config.socket() + "; the runner stops serving", e);
                    stopAsync();
                }
                return;
            }
            if (stopping) {
                refuse(channel);
                return;
            }
            if (connections.size() >= config.maxConnections()) {
                refuse(channel);
                continue;
            }
            Connection connection = new Connection(this, channel);
            connections.add(connection);
            if (metrics != null) metrics.accepted();
            try {
                ConnectionThreads.start(THREADS, connection, "a6-conn-" + threadCount.incrementAndGet());
            } catch (OutOfMemoryError | RuntimeException e) {
                // No thread for it (ulimit, memory): refuse this one, keep accepting.
                connections.remove(connection);
                connection.close();
                LOG.log(Level.ERROR, "cannot start a thread for a new connection ({0} open): {1}",
                        connections.size(), e.toString());
            }
        }
    }

    private void refuse(ByteChannel channel) {
        if (metrics != null) metrics.refused();
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

    void closed(Connection connection) {
        connections.remove(connection);
    }

    /** Open connections. */
    public int connectionCount() {
        return connections.size();
    }

    private void stopAsync() {
        Thread t = new Thread(() -> shutdown(config.drainMillis()), "a6-stop");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Stops accepting, removes the socket file, lets calls in flight finish for up to
     * {@code drainMillis}, then closes every connection.
     */
    public void shutdown(long drainMillis) {
        synchronized (this) {
            if (stopping) {
                awaitStopped(drainMillis + 1000);
                return;
            }
            stopping = true;
        }
        try {
            if (listener != null) {
                listener.close();
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing the listener: {0}", e.toString());
        }
        try {
            Files.deleteIfExists(config.socket());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "removing {0}: {1}", config.socket(), e.toString());
        }
        // Idle connections stop reading and end at once; a call in flight writes its reply, then its
        // connection ends (Connection checks isStopping after each call). Wait for all of them.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMillis);
        int pending;
        do {
            pending = 0;
            for (Connection c : connections) {
                if (c.isBusy()) {
                    pending++;
                } else {
                    c.stopReading();
                }
            }
            if (connections.isEmpty()) {
                break;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        } while (System.nanoTime() < deadline);
        if (pending > 0) {
            LOG.log(Level.WARNING, "{0} calls still running after {1} ms; closing their connections", pending, drainMillis);
        }
        for (Connection c : connections) {
            c.close();
        }
        if (metrics != null) metrics.close();
        stopped.countDown();
    }

    /** Waits until {@link #shutdown} has finished. */
    public boolean awaitStopped(long millis) {
        try {
            return stopped.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        shutdown(config.drainMillis());
    }
}
