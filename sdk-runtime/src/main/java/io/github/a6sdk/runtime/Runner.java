package io.github.a6sdk.runtime;

import io.github.a6sdk.runtime.transport.JdkUnixTransport;
import io.github.a6sdk.runtime.transport.Transport;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ByteChannel;
import java.nio.file.Files;
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
    private static final long STACK_SIZE = 256 * 1024;

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

    public Path socket() {
        return config.socket();
    }

    public String transportName() {
        return transport.name();
    }

    /** Binds the socket (replacing a stale socket file) and starts accepting. */
    public Runner start() throws IOException {
        Path path = config.socket();
        if (Files.exists(path) || Files.isSymbolicLink(path)) {
            if (JdkUnixTransport.isLive(path)) {
                throw new IOException("another process is serving " + path + "; stop it or choose another"
                        + " APISIX_LISTEN_ADDRESS");
            }
            Files.delete(path);
            LOG.log(Level.INFO, "removed stale socket file {0}", path);
        }
        listener = transport.listen(path);
        Files.setPosixFilePermissions(path, permissions(config.socketMode()));
        acceptor = new Thread(this::acceptLoop, "a6-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        return this;
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
            if (connections.size() >= config.maxConnections()) {
                refuse(channel);
                continue;
            }
            Connection connection = new Connection(this, channel);
            connections.add(connection);
            Thread t = new Thread(null, connection, "a6-conn-" + threadCount.incrementAndGet(), STACK_SIZE);
            t.setDaemon(true);
            t.start();
        }
    }

    private void refuse(ByteChannel channel) {
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
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMillis);
        int pending;
        do {
            pending = 0;
            for (Connection c : connections) {
                if (c.isBusy()) {
                    pending++;
                } else {
                    c.close();
                }
            }
            if (pending == 0) {
                break;
            }
            try {
                Thread.sleep(5);
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
