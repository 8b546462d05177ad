package io.github.a6sdk.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.Properties;
import io.github.a6sdk.runtime.transport.JdkUnixTransport;
import io.github.a6sdk.runtime.transport.Transport;
import sun.misc.Signal;

/**
 * Entry point of a plugin jar: {@code java -jar plugins.jar}. APISIX starts it with
 * {@code APISIX_LISTEN_ADDRESS} and {@code APISIX_CONF_EXPIRE_TIME} set.
 */
public final class Main {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");

    private Main() {}

    public static void main(String[] args) {
        String command = args.length == 0 ? "serve" : args[0];
        if (command.equals("serve")) {
            System.exit(serve(new JdkUnixTransport()));
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
     * setting. Start hooks run before the socket is bound; plugins are closed after the drain.
     */
    public static int serve(Transport transport, PluginCatalog plugins) {
        long startNanos = System.nanoTime();
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
        // Start hooks run before the socket exists: a plugin that cannot start stops the runner here.
        PluginLifecycle lifecycle;
        try {
            lifecycle = PluginLifecycle.start(catalog.plugins(), System.getenv(), version());
        } catch (PluginStartException e) {
            LOG.log(Level.ERROR, "cannot start: {0}", e.getMessage());
            return 1;
        }
        // Signals are handled before the socket exists: a SIGTERM that comes as soon as the path answers
        // (APISIX reloading again at once) must drain, not kill the JVM.
        handleSignals(runner, config, lifecycle);
        if (config.exitWithParent()) {
            // The parent is the process that started us, taken now: once the socket answers it may be gone.
            watchParent(() -> {
                LOG.log(Level.WARNING, "parent process is gone: stopping");
                stop(runner, config);
            });
        }
        try {
            runner.start();
        } catch (IllegalStateException | IOException e) {
            LOG.log(Level.ERROR, "cannot start: {0}", e.getMessage());
            lifecycle.close(PluginLifecycle.CLOSE_MILLIS);
            return 1;
        }
        if (catalog.plugins().isEmpty()) {
            LOG.log(Level.WARNING, "no plugins found: is sdk-processor on the annotationProcessorPaths of the"
                    + " project that holds the @ApisixPlugin classes?");
        }
        String readyMillis = String.valueOf((System.nanoTime() - startNanos) / 1_000_000);
        LOG.log(Level.INFO, "a6 runner {0} listening on {1} (mode {2}, transport {3}, {4}, Java {5}, pid {6})"
                + " with plugins {7}; ready {8} ms after main(); peers: {9}", version(), config.socket(),
                Integer.toOctalString(config.socketMode()), runner.transportName(), runner.serverModel(), Runtime.version(),
                String.valueOf(ProcessHandle.current().pid()), catalog.names(), readyMillis, config.allowedPeers().describe());

        runner.awaitStopped(Long.MAX_VALUE);
        lifecycle.close(PluginLifecycle.CLOSE_MILLIS); // after the drain: no call uses the plugins any more
        LOG.log(Level.INFO, "stopped");
        return 0;
    }

    /**
     * On SIGTERM, keep serving the socket path while a newer runner starts on it (APISIX reload starts
     * it first, and a JVM under load may need most of a second to bind), for all of A6_DRAIN_MS but the
     * last 200 ms (closing plugins may take up to 200 ms more), then drain: see Runner#shutdown(long, long).
     */
    private static void stop(Runner runner, RunnerConfig config) {
        runner.shutdown(Math.max(0, config.drainMillis() - HANDOVER_MARGIN_MILLIS), config.drainMillis());
    }

    /** What a SIGTERM leaves of A6_DRAIN_MS, after the wait for a newer runner, to close connections and exit. */
    static final long HANDOVER_MARGIN_MILLIS = 200;

    private static void handleSignals(Runner runner, RunnerConfig config, PluginLifecycle lifecycle) {
        for (String sig : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(sig), s -> {
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

    /** Polls the parent once a second; when it is gone (or we were re-parented), runs {@code onGone}. */
    static void watchParent(Runnable onGone) {
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        if (parent.isEmpty() || parent.get().pid() == 1) {
            return;
        }
        long ppid = parent.get().pid();
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                Optional<ProcessHandle> now = ProcessHandle.current().parent();
                if (now.isEmpty() || now.get().pid() != ppid || !now.get().isAlive()) {
                    onGone.run();
                    return;
                }
            }
        }, "a6-parent-watch");
        t.setDaemon(true);
        t.start();
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
