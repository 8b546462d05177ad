package io.github.a6sdk.runtime;

import io.github.a6sdk.runtime.metrics.Metrics;
import io.github.a6sdk.runtime.server.CallHandler;
import io.github.a6sdk.runtime.server.ConnectionThreads;
import io.github.a6sdk.runtime.server.Server;
import io.github.a6sdk.runtime.server.ServerConnection;
import io.github.a6sdk.runtime.transport.JdkUnixTransport;
import io.github.a6sdk.runtime.transport.Transport;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
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
 *
 * <p><b>Socket handover.</b> APISIX starts a new runner on the same path before it stops the old
 * one (reload), so a starting runner binds a temporary name in the socket's folder and renames it
 * over the path ({@code rename(2)} is atomic): the path always has a listener, and the newest
 * runner wins. A stopping runner removes the path only while it is still the file it bound.
 */
public final class Runner implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");
    /** {@code A6_THREADS}: "platform" (default) or "virtual" (Java 21+, see ConnectionThreads). */
    static final String THREADS = System.getenv().getOrDefault("A6_THREADS", "platform");

    private final RunnerConfig config;
    private final PluginCatalog catalog;
    private final ConfCache cache;
    private final Transport transport;
    private final Server server;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** How long every connection must have been quiet before a draining runner closes the idle ones. */
    private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final AtomicInteger TEMP_NAMES = new AtomicInteger();

    private volatile boolean stopping;
    /** The identity (device and inode) of the socket file this runner bound. */
    private Object socketKey;
    private Transport.Listener listener;
    /** Set in start() when A6_METRICS_ADDRESS is; null (nothing recorded) otherwise. */
    private Metrics metrics;

    public Runner(RunnerConfig config, PluginCatalog catalog, Transport transport) {
        this.config = config;
        this.catalog = catalog;
        this.transport = transport;
        this.cache = new ConfCache(config.confCacheSize(), config.confTtlSeconds());
        this.server = new Server(config, new CallHandler(catalog, cache, RequestStates.of(config)), THREADS, this::stopAsync);
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

    /** Whether the runner is draining (after SIGTERM or {@link #shutdown}). */
    public boolean isStopping() {
        return stopping;
    }

    /** What is recorded for Prometheus, or {@code null} when A6_METRICS_ADDRESS is unset (or unusable). */
    public Metrics metrics() {
        return metrics;
    }

    public Path socket() {
        return config.socket();
    }

    /** "platform" or "virtual": the threads that run blocking plugins. */
    public String threadKind() {
        return ConnectionThreads.kind(THREADS);
    }

    /** How connections are served, for the start line (event loops and workers, or a thread each). */
    public String serverModel() {
        return server.model();
    }

    public String transportName() {
        return transport.name();
    }

    /**
     * Binds the socket and starts accepting. The socket is bound under a temporary name in the same
     * folder and renamed over the configured path, replacing a stale socket file or the socket of a
     * runner that is still serving (which APISIX is about to stop); anything at the path that is not
     * a socket is left alone and the start fails.
     */
    public synchronized Runner start() throws IOException {
        if (stopping) {
            return this; // told to stop before it started: never bind
        }
        Path path = config.socket().toAbsolutePath();
        Path dir = path.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException("cannot listen on " + path + " (APISIX_LISTEN_ADDRESS): the folder " + dir
                    + " does not exist");
        }
        boolean replacing = false;
        boolean live = false;
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (!isSocketFile(path)) {
                throw new IOException(path + " exists and is not a socket; not replacing it. Remove it or choose"
                        + " another APISIX_LISTEN_ADDRESS");
            }
            replacing = true;
            live = JdkUnixTransport.isLive(path);
        }
        Path temp = dir.resolve(".a6-" + ProcessHandle.current().pid() + "-" + TEMP_NAMES.incrementAndGet() + ".sock");
        if (temp.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            // The folder leaves no room for a temporary name: bind in place (not atomic).
            temp = path;
            if (replacing) {
                Files.delete(path);
            }
        } else if (Files.exists(temp, LinkOption.NOFOLLOW_LINKS) && isSocketFile(temp)) {
            Files.delete(temp); // left by an earlier process with our pid
        }
        try {
            listener = transport.listen(temp);
        } catch (IOException e) {
            throw new IOException("cannot listen on " + temp + (temp.equals(path) ? "" : " (to be renamed to " + path + ")")
                    + " (APISIX_LISTEN_ADDRESS): " + describe(e), e);
        }
        try {
            Files.setPosixFilePermissions(temp, permissions(config.socketMode()));
            socketKey = fileKey(temp);
            if (!temp.equals(path)) {
                Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException | RuntimeException e) {
            listener.close();
            Files.deleteIfExists(temp);
            throw new IOException("cannot make the socket " + path + " (APISIX_LISTEN_ADDRESS): " + describe(e), e);
        }
        if (live) {
            LOG.log(Level.WARNING, "took over {0} from a runner that is still serving it: new connections come here,"
                    + " the other runner keeps its open connections until it stops", path);
        } else if (replacing) {
            LOG.log(Level.INFO, "replaced stale socket file {0}", path);
        }
        metrics = Metrics.start(config.metricsAddress(), catalog, () -> !stopping, () -> server.connections().size(),
                cache::size, transportName(), threadKind());
        server.useMetrics(metrics);
        try {
            server.start(listener);
        } catch (IOException | RuntimeException e) {
            releaseSocketPath();
            listener.close();
            if (metrics != null) {
                metrics.close();
            }
            throw new IOException("cannot serve " + path + ": " + describe(e), e);
        }
        return this;
    }

    /** The longest unix socket path (sun_path holds 108 bytes with the terminating NUL). */
    private static final int MAX_SOCKET_PATH = 107;

    private static String describe(Exception e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : e instanceof NoSuchFileException ? "no such file: " + m : m;
    }

    /** The file's identity (device and inode), or {@code null} when it is gone. */
    private static Object fileKey(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /** Whether the socket path is still the file this runner bound (no newer runner took it over). */
    public boolean ownsSocketPath() {
        Object key = socketKey;
        return key != null && key.equals(fileKey(config.socket()));
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

    /** Open connections. */
    public int connectionCount() {
        return server.connections().size();
    }

    private void stopAsync() {
        Thread t = new Thread(() -> shutdown(config.drainMillis()), "a6-stop");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Stops at once: removes the socket file (if it is still this runner's), stops accepting, lets
     * calls in flight finish for up to {@code drainMillis}, then closes every connection.
     */
    public void shutdown(long drainMillis) {
        shutdown(0, drainMillis);
    }

    /**
     * Stops the way APISIX expects on reload (SIGTERM, then SIGKILL after 1 s), in two steps.
     *
     * <ol>
     * <li>Hand over: while the socket path is still this runner's, keep accepting and serving for up
     * to {@code handoverMillis}, so that a newer runner that is still starting finds no gap; stop as
     * soon as a newer runner has taken the path over. Then remove the path if it is still ours (never
     * a newer runner's) and stop accepting.
     * <li>Drain: every connection closes right after the call it is serving is answered, and an idle
     * connection once it has been quiet for 50 ms (a pooled connection APISIX is not using). After
     * {@code drainMillis} in all, whatever is left is closed.
     * </ol>
     */
    public void shutdown(long handoverMillis, long drainMillis) {
        synchronized (this) {
            if (stopping) {
                awaitStopped(Math.max(drainMillis, handoverMillis) + 1000);
                return;
            }
            stopping = true;
        }
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(Math.max(drainMillis, handoverMillis));
        long handoverDeadline = start + TimeUnit.MILLISECONDS.toNanos(Math.min(handoverMillis, drainMillis));
        while (ownsSocketPath() && System.nanoTime() < handoverDeadline) {
            if (!pause(5)) {
                break;
            }
        }
        releaseSocketPath();
        server.stopAccepting();
        try {
            if (listener != null) {
                listener.close();
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing the listener: {0}", e.toString());
        }
        server.closeConnectionsAfterCalls();
        // A connection in use is retired with its next reply (CallHandler's goodbye: APISIX never pools it
        // again). Idle ones are closed only once the whole runner has gone quiet, or at the deadline: while
        // calls come in, an idle pooled connection is about to be used (and retired without a race),
        // whereas closing it could meet APISIX writing on it.
        int pending;
        do {
            pending = 0;
            long now = System.nanoTime();
            boolean allQuiet = true;
            for (ServerConnection c : server.connections()) {
                if (c.isBusy() || now - c.quietSince() < QUIET_NANOS) {
                    allQuiet = false;
                }
                if (c.isBusy()) {
                    pending++;
                }
            }
            if (allQuiet || now >= deadline) {
                for (ServerConnection c : server.connections()) {
                    if (!c.isBusy()) {
                        c.stopReading();
                    }
                }
            }
            if (server.connections().isEmpty() || !pause(2)) {
                break;
            }
        } while (System.nanoTime() < deadline);
        if (pending > 0) {
            LOG.log(Level.WARNING, "{0} calls still running after {1} ms; closing their connections", pending, drainMillis);
        }
        server.stop();
        if (metrics != null) {
            metrics.close();
        }
        stopped.countDown();
    }

    /** Removes the socket file if it is still the one this runner bound; a newer runner's is left alone. */
    private void releaseSocketPath() {
        Path path = config.socket();
        if (socketKey == null) {
            return;
        }
        if (!ownsSocketPath()) {
            LOG.log(Level.INFO, "{0} now belongs to a newer runner: leaving it, finishing {1} open connections",
                    path, server.connections().size());
            return;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "removing {0}: {1}", path, e.toString());
        }
    }

    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
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
