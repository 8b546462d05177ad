package io.github.a6sdk.runtime.dev;

import io.github.a6sdk.runtime.Main;
import io.github.a6sdk.runtime.PluginCatalog;
import io.github.a6sdk.runtime.tools.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * {@code java -jar plugins.jar dev --watch}: the dev gateway, whose runner is replaced by one from the
 * new jar each time the jar is rebuilt, with the same socket handover APISIX's reloads get, so no call
 * fails.
 *
 * <p><b>Why child JVMs.</b> {@code mvn package} rewrites the jar in place (maven-jar-plugin truncates
 * and rewrites it, then the shade plugin renames its own jar over it), so no JVM may keep loading
 * classes from that file. The command therefore copies the jar and runs everything from copies: the
 * process started by the user only starts the gateway's JVM from a copy and waits for it; the gateway
 * runs each runner as {@code java -jar <copy of build N>}, exactly as APISIX starts one. A new runner
 * binds a temporary name and renames it over the socket path (the handover of {@code Runner#start}),
 * then the old one gets SIGTERM and drains; a runner in a JVM of its own leaves nothing behind when
 * it goes, where a class loader would have to be closed with every thread, timer and {@code ThreadLocal}
 * the plugins made. A jar that does not start (it is not a runnable jar, a plugin's start hook fails,
 * two plugins share a name) never touches the socket: the runner fails before it binds, the old one
 * keeps serving, and the gateway says why.
 *
 * <p>A jar is taken once it has stayed the same (file, size, time) for {@value #QUIET_MILLIS} ms and is
 * a runnable jar whose main class is in it: the plain jar maven-jar-plugin writes before the shade
 * plugin replaces it is skipped silently.
 */
public final class DevWatch implements DevGateway.Backend {
    /** The first arguments of the gateway's JVM: {@code dev --watched-jar <jar> <the user's flags>} (internal). */
    static final String WATCHED_JAR = "--watched-jar";
    /** JVM options of the gateway and of each runner: a fast start and a small heap matter more here than peak speed. */
    static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    /** The folder of the gateway's copy of the jar: removed by whichever of the two JVMs ends last. */
    static final String GATEWAY_COPY_PREFIX = "a6-dev-gateway";
    static final long POLL_MILLIS = 200;
    static final long QUIET_MILLIS = 300;
    /** A changed jar that is still not runnable after this long is reported (once) and ignored. */
    static final long GIVE_UP_MILLIS = 10_000;

    private final Path jar;
    private final Path dir;
    private final Path socket;
    private final PrintStream out;
    private final PrintStream err;
    private final long startTimeoutMillis;
    private final long giveUpMillis;
    private final Object lock = new Object();
    private RunnerChild current;
    private Version served;
    private Version ignored;
    private int builds;
    private volatile boolean closed;
    private Thread watcher;
    /** Called with each newly served jar copy (the gateway re-reads its routes from it). */
    private volatile java.util.function.Consumer<Path> onReload = p -> { };
    /** Run once a new runner serves the socket, before the old one is stopped (the gateway drops its connections). */
    private volatile Runnable onReplaced = () -> { };
    /** The launcher's copy of the jar this JVM runs from, removed on close (the launcher may have been killed). */
    private volatile Path launcherCopy;

    /** What identifies one version of the jar file: a rename gives another file, a rewrite another size or time. */
    record Version(Object fileKey, long size, long modifiedNanos) {
        static Version of(Path p) {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                return new Version(a.fileKey(), a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
            } catch (IOException e) {
                return null;
            }
        }
    }

    /**
     * @param startTimeoutMillis how long a new runner may take to serve the socket
     * @param giveUpMillis how long a changed jar may stay not runnable before it is reported and ignored
     */
    DevWatch(Path jar, PrintStream out, PrintStream err, long startTimeoutMillis, long giveUpMillis) throws IOException {
        this.jar = jar.toAbsolutePath();
        this.out = out;
        this.err = err;
        this.startTimeoutMillis = startTimeoutMillis;
        this.giveUpMillis = giveUpMillis;
        this.dir = Files.createTempDirectory("a6-dev-watch");
        this.socket = dir.resolve("runner.sock");
    }

    // ---- the process the user started: copy the jar, run the gateway from the copy, wait ----

    /**
     * {@code dev --watch [flags]} in the JVM the user started from the jar: runs the gateway in a JVM
     * of its own from a copy of the jar (this JVM loads nothing more from the jar, which Maven will
     * rewrite) and returns its exit status.
     */
    public static int launch(String[] args, PrintStream err) {
        Path jar = ownJar();
        if (jar == null) {
            err.println("error: dev --watch reloads the plugins jar it was started from; start it from the jar:"
                    + " java -jar target/<name>.jar dev --watch");
            return 2;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_OPTIONS);
        Path copyDir;
        try {
            copyDir = Files.createTempDirectory(GATEWAY_COPY_PREFIX);
            Path copy = copyDir.resolve("gateway.jar");
            Files.copy(jar, copy);
            cmd.add("-cp");
            cmd.add(copy.toString());
        } catch (IOException e) {
            err.println("error: cannot copy " + jar + ": " + e.getMessage());
            return 1;
        }
        cmd.add(Main.class.getName());
        cmd.add("dev");
        cmd.add(WATCHED_JAR);
        cmd.add(jar.toString());
        for (String a : args) {
            if (!a.equals("--watch")) {
                cmd.add(a);
            }
        }
        Process gateway;
        try {
            // stdin is a pipe that this JVM never writes: the gateway stops when this process is gone
            gateway = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            deleteFlat(copyDir);
            err.println("error: cannot start the gateway: " + e.getMessage());
            return 1;
        }
        Path toDelete = copyDir;
        Thread hook = new Thread(() -> {
            gateway.destroy();
            try {
                gateway.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            deleteFlat(toDelete);
        }, "a6-dev-watch-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        int status;
        try {
            status = gateway.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            return status;
        }
        deleteFlat(copyDir);
        return status;
    }

    /** The jar this code was loaded from, or {@code null} (a classes folder, say). */
    static Path ownJar() {
        CodeSource source = Main.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return null;
        }
        try {
            Path p = Path.of(source.getLocation().toURI());
            return Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jar")
                    ? p : null;
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    // ---- the gateway's JVM ----

    /** {@code dev --watched-jar JAR [flags]}: the gateway, with runners from copies of {@code jar}. */
    static int serve(PluginCatalog catalog, Path jar, String[] args, PrintStream out, PrintStream err) {
        Object[] parsed;
        try {
            parsed = DevGateway.parse(catalog, DevWatch.class.getClassLoader(), args, err);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        if (parsed == null) {
            return 0;
        }
        DevGateway gateway;
        DevWatch watch;
        String plugins;
        try {
            watch = new DevWatch(jar, out, err, RunnerChild.START_TIMEOUT_MILLIS, GIVE_UP_MILLIS);
            try {
                plugins = watch.startFirst();
            } catch (IOException e) {
                watch.close();
                throw e;
            }
            @SuppressWarnings("unchecked")
            List<DevGateway.Route> routes = (List<DevGateway.Route>) parsed[1];
            gateway = DevGateway.start(routes, (Integer) parsed[0], out, watch);
        } catch (IOException e) {
            err.println("error: cannot start: " + e.getMessage());
            return 1;
        }
        gateway.printStart(parsed, catalog, plugins.equals("?") ? catalog.names()
                : plugins.isEmpty() ? List.of() : List.of(plugins.split(", ")), out);
        out.println("  watching " + jar + ": every new build is loaded by a new runner, without a restart");
        if (parsed[2] != null) {
            URI upstream = (URI) parsed[3];
            watch.onReload = copy -> watch.reloadRoutes(gateway, copy, upstream);
        }
        Path self = ownJar();
        if (self != null && self.getParent() != null
                && self.getParent().getFileName().toString().startsWith(GATEWAY_COPY_PREFIX)) {
            watch.launcherCopy = self.getParent();
        }
        watch.startWatching();
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "a6-dev-stop"));
        stopWhenLauncherExits(gateway);
        gateway.awaitClosed();
        return 0;
    }

    /** The launcher never writes to our stdin: end of input means it has exited. */
    private static void stopWhenLauncherExits(DevGateway gateway) {
        Thread t = new Thread(() -> {
            try {
                InputStream in = System.in;
                while (in.read() >= 0) {
                    // nothing is ever sent
                }
            } catch (IOException e) {
                // closed: the launcher is gone
            }
            gateway.close();
        }, "a6-dev-launcher-watch");
        t.setDaemon(true);
        t.start();
    }

    /** Starts the runner of the jar as it is now; returns its plugins. */
    String startFirst() throws IOException {
        synchronized (lock) {
            Version v = Version.of(jar);
            if (v == null) {
                throw new IOException(jar + " does not exist");
            }
            Path copy = copyOf(v);
            if (copy == null) {
                throw new IOException(jar + " changed while it was copied; start again once the build is done");
            }
            RunnerChild child = RunnerChild.start(builds, copy, socket, JVM_OPTIONS, err);
            try {
                String plugins = child.awaitServing(socket, null, startTimeoutMillis);
                current = child;
                served = v;
                return plugins;
            } catch (IOException e) {
                child.stopAndWait(1000);
                throw new IOException("the runner of " + jar + " did not start: " + e.getMessage(), e);
            }
        }
    }

    /** A copy of the jar as build number {@code ++builds}, or {@code null} when it changed while copied. */
    private Path copyOf(Version v) throws IOException {
        builds++;
        Path copy = dir.resolve("build-" + builds + ".jar");
        Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
        if (!v.equals(Version.of(jar))) {
            Files.deleteIfExists(copy);
            return null;
        }
        return copy;
    }

    void startWatching() {
        watcher = new Thread(this::watch, "a6-dev-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private void watch() {
        Version pending = null;
        long pendingSince = 0;
        while (!closed) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            restartIfGone();
            Version now = Version.of(jar);
            if (now == null || now.equals(served) || now.equals(ignored)) {
                pending = null;
                continue;
            }
            long t = System.nanoTime();
            if (!now.equals(pending)) {
                pending = now;
                pendingSince = t;
                continue;
            }
            long quietMillis = TimeUnit.NANOSECONDS.toMillis(t - pendingSince);
            if (quietMillis < QUIET_MILLIS) {
                continue;
            }
            String problem = notRunnable(jar);
            if (problem != null) {
                if (quietMillis > giveUpMillis) {
                    err.println("a6 dev: ignoring " + jar + ": " + problem + "; still serving build " + servedBuild());
                    ignored = now;
                }
                continue;
            }
            try {
                Path loaded = reload(now);
                if (loaded != null) {
                    onReload.accept(loaded);
                }
            } catch (IOException e) {
                err.println("a6 dev: cannot load " + jar + ": " + e.getMessage() + "; still serving build " + servedBuild());
                ignored = now;
            }
            pending = null;
        }
    }

    private int servedBuild() {
        synchronized (lock) {
            return current == null ? 0 : current.build;
        }
    }

    /**
     * Starts a runner from the new jar; once it serves the socket, the old one drains and stops.
     * Returns the copy the new runner runs, or {@code null} when it did not start (the old one serves on).
     */
    Path reload(Version v) throws IOException {
        synchronized (lock) {
            if (closed) {
                return null;
            }
            long start = System.nanoTime();
            Path copy = copyOf(v);
            if (copy == null) {
                return null; // still being written: the next poll sees the new version
            }
            String problem = notRunnable(copy);
            if (problem != null) {
                Files.deleteIfExists(copy);
                throw new IOException(problem);
            }
            RunnerChild old = current;
            Object before = RunnerChild.fileKey(socket);
            RunnerChild next = RunnerChild.start(builds, copy, socket, JVM_OPTIONS, err);
            String plugins;
            try {
                plugins = next.awaitServing(socket, before, startTimeoutMillis);
            } catch (IOException e) {
                next.stopAndWait(1000);
                Files.deleteIfExists(copy);
                ignored = v;
                err.println("a6 dev: reload failed: build " + next.build + " of " + jar + " did not start ("
                        + e.getMessage() + "); still serving build " + (old == null ? "-" : old.build));
                return null;
            }
            current = next;
            served = v;
            onReplaced.run();
            if (old != null) {
                old.stop(); // the socket is the new runner's: the old one answers its calls in flight and exits
                old.onExit(() -> deleteQuietly(old.jar));
            }
            out.printf(Locale.ROOT, "a6 dev: reloaded %s (build %d, %d ms): plugins [%s]%n", jar, next.build,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), plugins);
            return copy;
        }
    }

    /** The runner exited without being told to (it crashed, or was killed): start it again from the same build. */
    private void restartIfGone() {
        synchronized (lock) {
            if (closed || current == null || current.isAlive()) {
                return;
            }
            RunnerChild gone = current;
            err.println("a6 dev: the runner of build " + gone.build + " exited; starting it again");
            try {
                RunnerChild again = RunnerChild.start(gone.build, gone.jar, socket, JVM_OPTIONS, err);
                again.awaitServing(socket, RunnerChild.fileKey(socket), startTimeoutMillis);
                current = again;
            } catch (IOException e) {
                err.println("a6 dev: the runner of build " + gone.build + " does not start again: " + e.getMessage());
                current = null;
            }
        }
    }

    /** Why {@code jarFile} cannot be run with {@code java -jar}, or {@code null} when it can. */
    static String notRunnable(Path jarFile) {
        try (JarFile jf = new JarFile(jarFile.toFile())) {
            Manifest m = jf.getManifest();
            String main = m == null ? null : m.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS);
            if (main == null || main.isBlank()) {
                return "it has no Main-Class (is maven-shade-plugin's ManifestResourceTransformer configured?)";
            }
            if (jf.getJarEntry(main.trim().replace('.', '/') + ".class") == null) {
                return "its Main-Class " + main.trim() + " is not in it (not the shaded jar yet)";
            }
            return null;
        } catch (IOException | SecurityException e) {
            return "it is not a readable jar (" + e.getMessage() + ")";
        }
    }

    /** After a reload: the routes of the new jar's dev-routes.json, which the gateway serves from now on. */
    void reloadRoutes(DevGateway gateway, Path copy, URI upstream) {
        try (JarFile jf = new JarFile(copy.toFile())) {
            JarEntry e = jf.getJarEntry(DevGateway.DEFAULT_ROUTES);
            if (e == null) {
                err.println("a6 dev: the new build has no " + DevGateway.DEFAULT_ROUTES + "; keeping the routes");
                return;
            }
            try (InputStream in = jf.getInputStream(e)) {
                gateway.replaceRoutes(DevGateway.routes(Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)),
                        upstream));
            }
        } catch (IOException | IllegalArgumentException e) {
            err.println("a6 dev: the new build's " + DevGateway.DEFAULT_ROUTES + ": " + e.getMessage()
                    + "; keeping the routes");
        }
    }

    @Override
    public void onRunnerReplaced(Runnable action) {
        this.onReplaced = action;
    }

    /** The runner's socket. */
    @Override
    public Path socket() {
        return socket;
    }

    /** Stops watching and the runner, and removes the copies. */
    @Override
    public void close() {
        closed = true;
        Thread w = watcher;
        if (w != null) {
            w.interrupt();
        }
        synchronized (lock) {
            if (current != null) {
                current.stopAndWait(2000);
                current = null;
            }
        }
        deleteFlat(dir);
        Path copy = launcherCopy;
        if (copy != null) {
            deleteFlat(copy);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignoredError) {
            // a temp file left behind
        }
    }

    /** Deletes a folder of plain files (no sub-folders). */
    static void deleteFlat(Path folder) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path f : files) {
                if (!Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) {
                    deleteQuietly(f);
                }
            }
        } catch (IOException e) {
            return;
        }
        deleteQuietly(folder);
    }
}
