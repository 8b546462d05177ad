package io.github.a6sdk.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.util.Properties;
import io.github.a6sdk.runtime.transport.JdkUnixTransport;
import io.github.a6sdk.runtime.transport.Transport;

/**
 * Entry point of a plugin jar: {@code java -jar plugins.jar}. APISIX starts it with
 * {@code APISIX_LISTEN_ADDRESS} and {@code APISIX_CONF_EXPIRE_TIME} set.
 */
public final class Main {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");

    private Main() {}

    /** Runs {@code serve} (no argument) or the command {@code args[0]} names; exits with its status. */
    public static void main(String[] args) {
        String command = args.length == 0 ? "serve" : args[0];
        if (command.equals("serve")) {
            System.exit(serve(new JdkUnixTransport()));
        }
        if (command.equals(io.github.a6sdk.runtime.tools.Cds.TRAINING_COMMAND)) {
            System.exit(serve(new JdkUnixTransport(), null, true)); // the child of the cds command
        }
        System.exit(Commands.run(command, java.util.Arrays.copyOfRange(args, 1, args.length)));
    }

    /**
     * Runs the runner on {@code transport} until SIGTERM/SIGINT or the parent's exit; returns the
     * exit status. An optional transport module calls this from its own main class.
     */
    public static int serve(Transport transport) {
        return serve(transport, null);
    }

    /**
     * Runs the runner with the given plugins ({@code null}: every generated registry on the class
     * path) until SIGTERM/SIGINT or the parent's exit; returns the exit status: 0 after a clean stop,
     * 1 when the runner cannot start (a plugin's start hook failed, or the socket), 2 for a bad
     * setting or a jar without plugins ({@link PluginCatalog#NO_PLUGINS}). Start hooks run before the
     * socket is bound; plugins are closed after the drain.
     */
    public static int serve(Transport transport, PluginCatalog plugins) {
        return serve(transport, plugins, false);
    }

    /**
     * {@code training}: the {@code cds} command's child JVM, whose loaded classes become the archive:
     * once ready it serves the training exchanges itself and stops; a start hook that fails is logged
     * and skipped, as the build host may not reach what the plugins connect to.
     */
    static int serve(Transport transport, PluginCatalog plugins, boolean training) {
        long startNanos = System.nanoTime();
        Thread.setDefaultUncaughtExceptionHandler(Main::uncaught);
        Thread warmUp = new Thread(transport::warmUp, "a6-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        RunnerConfig config;
        try {
            config = RunnerConfig.fromEnvironment(System.getenv());
            RunnerLogging.configure(config.logLevel(), config.logFile());
        } catch (IllegalArgumentException e) {
            System.err.println("a6 runner: " + e.getMessage());
            return 2;
        }
        Runner runner;
        PluginCatalog catalog;
        try {
            catalog = plugins != null ? plugins : PluginCatalog.load(Main.class.getClassLoader());
            runner = new Runner(config, catalog, transport);
        } catch (IllegalStateException e) {
            LOG.log(Level.ERROR, "cannot start: {0}", e.getMessage());
            return 1;
        }
        if (catalog.plugins().isEmpty()) { // every call would fail: refuse to start, and say why
            LOG.log(Level.ERROR, "cannot start: {0}", PluginCatalog.NO_PLUGINS);
            return 2;
        }
        for (io.github.a6sdk.api.spi.PluginDescriptor<?> plugin : catalog.plugins()) {
            String cls = plugin.className();
            RunnerLogging.debugAlso(cls.lastIndexOf('.') < 0 ? "" : cls.substring(0, cls.lastIndexOf('.')));
        }
        // Start hooks run before the socket exists: a plugin that cannot start stops the runner here.
        PluginLifecycle lifecycle;
        try {
            lifecycle = PluginLifecycle.start(catalog.plugins(), System.getenv(), version());
        } catch (PluginStartException e) {
            if (!training) {
                LOG.log(Level.ERROR, "cannot start: {0}", e.getMessage());
                return 1;
            }
            LOG.log(Level.WARNING, "training without start hooks: {0}", e.getMessage());
            lifecycle = PluginLifecycle.none();
        }
        // Signals are handled before the socket exists: a SIGTERM that comes as soon as the path answers
        // (APISIX reloading again at once) must drain, not kill the JVM.
        handleSignals(runner, config, lifecycle);
        // The parent is the process that started us, taken now (once the socket answers it may be gone);
        // it is watched from a thread started once the runner serves.
        long parent = config.exitWithParent() ? ParentWatch.parentPid() : -1;
        try {
            runner.start();
        } catch (IllegalStateException | IOException e) {
            LOG.log(Level.ERROR, "cannot start: {0}", e.getMessage());
            lifecycle.close(PluginLifecycle.CLOSE_MILLIS);
            return 1;
        }
        if (parent > 1) {
            ParentWatch.start(parent, () -> {
                LOG.log(Level.WARNING, "parent process is gone: stopping");
                stop(runner, config);
            });
        }
        String readyMillis = String.valueOf((System.nanoTime() - startNanos) / 1_000_000);
        LOG.log(Level.INFO, "a6 runner {0} listening on {1} (mode {2}, transport {3}, {4}, Java {5}, pid {6})"
                + " with plugins {7}; ready {8} ms after main(); peers: {9}", version(), config.socket(),
                Integer.toOctalString(config.socketMode()), runner.transportName(), runner.serverModel(),
                System.getProperty("java.runtime.version", System.getProperty("java.version")),
                String.valueOf(ProcessHandle.current().pid()), catalog.names(), readyMillis, config.allowedPeers().describe());

        if (training) {
            try {
                io.github.a6sdk.runtime.tools.Cds.train(config.socket(), catalog);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "training exchange failed: {0}", e.toString());
            }
            stop(runner, config);
        }
        runner.awaitStopped(Long.MAX_VALUE);
        // After the drain no call uses the plugins any more. They may take what is left of A6_DRAIN_MS and a
        // little more to close (at most CLOSE_MILLIS): APISIX sends SIGKILL 1 s after SIGTERM.
        long closeMillis = Math.max(CLOSE_AT_LEAST_MILLIS, Math.min(PluginLifecycle.CLOSE_MILLIS,
                config.drainMillis() + CLOSE_PAST_DRAIN_MILLIS - runner.millisSinceStop()));
        lifecycle.close(closeMillis);
        LOG.log(Level.INFO, "stopped");
        return 0;
    }

    /**
     * On SIGTERM: keep serving the socket path while it is useful and a newer runner may still be
     * starting, then retire the connections, all within A6_DRAIN_MS: see Runner#shutdown(long).
     */
    private static void stop(Runner runner, RunnerConfig config) {
        runner.shutdown(config.drainMillis());
    }

    /** Plugins always get this long to close, however late the drain ended. */
    static final long CLOSE_AT_LEAST_MILLIS = 20;
    /** How far past A6_DRAIN_MS (default 900) the plugins may take to close: 900 + 60 leaves 40 ms to exit before SIGKILL. */
    static final long CLOSE_PAST_DRAIN_MILLIS = 60;

    private static void handleSignals(Runner runner, RunnerConfig config, PluginLifecycle lifecycle) {
        for (String sig : new String[] {"TERM", "INT"}) {
            // sun.misc named here, not imported: an import of it is a warning in every javadoc run
            sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> {
                LOG.log(Level.INFO, "SIG{0}: draining calls in flight and stopping", sig);
                Thread t = new Thread(() -> stop(runner, config), "a6-signal");
                t.start();
            });
        }
        // Any other way out of the JVM (System.exit in a plugin, SIGHUP) still removes the socket file.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runner.shutdown(0);
            lifecycle.close(PluginLifecycle.CLOSE_MILLIS);
        }, "a6-exit"));
    }

    /**
     * A thread ended with an exception nothing caught. The runner's own threads catch everything; if
     * one of those that serve (event loops, acceptor, watchdog) still died, the runner could no longer
     * answer: it exits with status 1 and says why, so that APISIX starts it again. Any other thread (a
     * plugin's own) is logged.
     */
    private static void uncaught(Thread t, Throwable e) {
        String name = t.getName();
        boolean serving = name.startsWith("a6-loop-") || name.equals("a6-acceptor") || name.equals("a6-watchdog");
        LOG.log(Level.ERROR, "thread " + name + " ended with " + e + (serving ? "; the runner cannot serve without it:"
                + " exiting with status 1 so that APISIX starts it again" : ""), e);
        if (serving) {
            new Thread(() -> System.exit(1), "a6-exit-on-failure").start();
        }
    }

    /** This runtime's version, from the build. */
    public static String version() {
        try (InputStream in = Main.class.getResourceAsStream("/io/github/a6sdk/runtime/version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}
