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
    /** With no call for this long, a stopping runner lets go of its path at once (it has no traffic to keep). */
    public static final long QUIET_MILLIS = 100;
    /**
     * The end of {@code A6_DRAIN_MS} a stopping runner keeps for its calls in flight to finish, its idle
     * connections to be retired and its plugins to close: it holds its path until this much is left.
     */
    public static final long RETIRE_MARGIN_MILLIS = 150;
    /**
     * How long after its goodbye a stopping runner leaves an idle connection open for the client to drop it
     * (nginx does within one turn of its event loop), before it closes it itself.
     */
    static final long GOODBYE_LINGER_MILLIS = 100;
    /** The longest a stopping runner waits for a client to close an idle connection it said goodbye to before the next. */
    static final long GOODBYE_PACE_MICROS = 2000;
    private static final AtomicInteger TEMP_NAMES = new AtomicInteger();

    private volatile boolean stopping;
    /** When shutdown began (System.nanoTime). */
    private volatile long stopStarted;
    /** The identity (device and inode) of the socket file this runner bound. */
    private Object socketKey;
    private Transport.Listener listener;
    /** Set in start() when A6_METRICS_ADDRESS is; null (nothing recorded) otherwise. */
    private Metrics metrics;

    public Runner(RunnerConfig config, PluginCatalog catalog, Transport transport) {
        this.config = config;
        this.catalog = catalog;
        this.transport = transport;
        this.cache = new ConfCache(config.confCacheSize(), config.confTtlSeconds(), config.confCacheBytes());
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

    /** Milliseconds since shutdown began (0 before). */
    public long millisSinceStop() {
        return stopping ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopStarted) : 0;
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
        if (config.metricsAddress() != null) { // the metrics classes load only when asked for
            metrics = Metrics.start(config.metricsAddress(), catalog, () -> !stopping, () -> server.connections().size(),
                    cache::size, transportName(), threadKind());
            server.useMetrics(metrics);
            if (metrics != null) {
                metrics.watchConfCache(cache::bytesHeld, cache::evictions);
            }
        }
        // The server runs before the path is ours: from the rename on, a connection is served at once.
        try {
            Files.setPosixFilePermissions(temp, permissions(config.socketMode()));
            server.start(listener);
        } catch (IOException | RuntimeException e) {
            server.stop();
            listener.close();
            Files.deleteIfExists(temp);
            closeMetrics();
            throw new IOException("cannot serve " + path + " (APISIX_LISTEN_ADDRESS): " + describe(e), e);
        }
        try {
            socketKey = fileKey(temp);
            if (!temp.equals(path)) {
                Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException | RuntimeException e) {
            socketKey = null;
            server.stop();
            listener.close();
            Files.deleteIfExists(temp);
            closeMetrics();
            throw new IOException("cannot make the socket " + path + " (APISIX_LISTEN_ADDRESS): " + describe(e), e);
        }
        if (live) {
            LOG.log(Level.WARNING, "took over {0} from a runner that is still serving it: new connections come here,"
                    + " the other runner keeps its open connections until it stops", path);
        } else if (replacing) {
            LOG.log(Level.INFO, "replaced stale socket file {0}", path);
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
     * Stops the way APISIX expects on a reload or a stop (SIGTERM, then SIGKILL 1 s later), within
     * {@code drainMillis} in all ({@code A6_DRAIN_MS}):
     *
     * <ol>
     * <li><b>Hold</b>: while the socket path is still this runner's and calls keep coming, keep
     * serving it, accepting included, so that a newer runner that is still starting finds no gap;
     * until {@link #RETIRE_MARGIN_MILLIS} before the end, which leaves the calls in flight time to
     * finish. Stop holding as soon as a newer runner has taken the path over, or when no call has
     * come for {@link #QUIET_MILLIS} (at once, for a runner that was idle when told to stop).
     * <li><b>Let go</b>: remove the path if it is still this runner's (never a newer runner's),
     * accept what is waiting in the listener's backlog, close the listener.
     * <li><b>Retire</b>: a connection in use is closed after its reply, which carries the goodbye
     * frame; an idle one gets the goodbye on its own ({@link ServerConnection#sayGoodbye}), one
     * connection at a time, each once the previous one's client has closed it (at most
     * {@link #GOODBYE_PACE_MICROS} apart), so that no client meets more than one of them at once.
     * </ol>
     *
     * Whatever is still open {@code drainMillis} after the call is closed.
     */
    public void shutdown(long drainMillis) {
        synchronized (this) {
            if (stopping) {
                awaitStopped(drainMillis + 1000);
                return;
            }
            stopping = true;
        }
        long start = System.nanoTime();
        stopStarted = start;
        server.undedicate();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(drainMillis);
        long holdUntil = deadline - TimeUnit.MILLISECONDS.toNanos(Math.min(drainMillis, RETIRE_MARGIN_MILLIS));
        long quietNanos = TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS);
        String why = "";
        while (true) {
            long now = System.nanoTime();
            if (!ownsSocketPath()) {
                why = socketKey == null ? "" : "a newer runner has taken the path over";
                break;
            }
            if (server.isQuiet(now, quietNanos)) {
                why = "no call for " + QUIET_MILLIS + " ms";
                break;
            }
            if (now >= holdUntil) {
                why = "calls still coming, no newer runner after " + TimeUnit.NANOSECONDS.toMillis(now - start) + " ms";
                break;
            }
            if (!pause(1)) {
                break;
            }
        }
        int open = server.connections().size();
        releaseSocketPath();
        server.stopAccepting(20);
        try {
            if (listener != null) {
                listener.close();
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing the listener: {0}", e.toString());
        }
        server.closeConnectionsAfterCalls();
        if (!why.isEmpty()) {
            LOG.log(Level.INFO, "let go of {0} after {1} ms ({2}); retiring {3} open connections",
                    config.socket(), String.valueOf(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)), why,
                    String.valueOf(open));
        }
        retireConnections(deadline);
        int pending = 0;
        for (ServerConnection c : server.connections()) {
            if (c.isBusy()) {
                pending++;
            }
        }
        if (pending > 0) {
            LOG.log(Level.WARNING, "{0} calls still running after {1} ms; closing their connections",
                    String.valueOf(pending), String.valueOf(drainMillis));
        }
        server.stop();
        closeMetrics();
        stopped.countDown();
    }

    /**
     * Waits for the connections to close, until {@code deadline}: busy ones close after their
     * reply; idle ones are given the goodbye one at a time.
     */
    private void retireConnections(long deadline) {
        java.util.Map<ServerConnection, Long> greeted = new java.util.IdentityHashMap<>();
        ServerConnection waitingFor = null;
        long waitingSince = 0;
        long pace = TimeUnit.MICROSECONDS.toNanos(GOODBYE_PACE_MICROS);
        long linger = TimeUnit.MILLISECONDS.toNanos(GOODBYE_LINGER_MILLIS);
        while (!server.connections().isEmpty()) {
            long now = System.nanoTime();
            if (now >= deadline) {
                return;
            }
            // A client that has not dropped a connection that long after its goodbye never reuses it: close it.
            for (java.util.Iterator<java.util.Map.Entry<ServerConnection, Long>> it = greeted.entrySet().iterator(); it.hasNext(); ) {
                java.util.Map.Entry<ServerConnection, Long> e = it.next();
                if (now - e.getValue() > linger && !e.getKey().isBusy() && server.connections().contains(e.getKey())) {
                    e.getKey().close();
                    it.remove();
                }
            }
            if (waitingFor != null && server.connections().contains(waitingFor) && now - waitingSince < pace) {
                java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                continue;
            }
            waitingFor = null;
            for (ServerConnection c : server.connections()) {
                if (!greeted.containsKey(c) && !c.isBusy()) {
                    waitingFor = c;
                    break;
                }
            }
            if (waitingFor == null) {
                java.util.concurrent.locks.LockSupport.parkNanos(200_000); // only busy or greeted ones left
                continue;
            }
            greeted.put(waitingFor, now);
            waitingSince = now;
            waitingFor.sayGoodbye();
        }
    }

    private void closeMetrics() {
        if (metrics != null) {
            metrics.close();
        }
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
