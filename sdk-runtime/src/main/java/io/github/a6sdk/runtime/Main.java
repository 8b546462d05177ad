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
            RunnerLogging.configure(config.logLevel());
        } catch (IllegalArgumentException e) {
            System.err.println("a6 runner: " + e.getMessage());
            return 2;
        }
        Runner runner;
        PluginCatalog catalog;
        PluginLifecycle lifecycle = null;
        try {
            catalog = plugins != null ? plugins : PluginCatalog.load(Main.class.getClassLoader());
            lifecycle = PluginLifecycle.start(catalog.plugins(), System.getenv(), version());
            runner = new Runner(config, catalog, transport).start();
        } catch (IllegalStateException | IOException | PluginStartException e) {
            LOG.log(Level.ERROR, "cannot start: {0}", e.getMessage());
            if (lifecycle != null) {
                lifecycle.close(PluginLifecycle.CLOSE_MILLIS);
            }
            return 1;
        }
        PluginLifecycle started = lifecycle;
        if (catalog.plugins().isEmpty()) {
            LOG.log(Level.WARNING, "no plugins found: is sdk-processor on the annotationProcessorPaths of the"
                    + " project that holds the @ApisixPlugin classes?");
        }
        String readyMillis = String.valueOf((System.nanoTime() - startNanos) / 1_000_000);
        LOG.log(Level.INFO, "a6 runner {0} listening on {1} (mode {2}, transport {3}, {4} threads, Java {5}, pid {6})"
                + " with plugins {7}; ready {8} ms after main()", version(), config.socket(),
                Integer.toOctalString(config.socketMode()), runner.transportName(), runner.threadKind(), Runtime.version(),
                String.valueOf(ProcessHandle.current().pid()), catalog.names(), readyMillis);

        // On SIGTERM, keep the socket for up to half of A6_DRAIN_MS while a newer runner starts on the same
        // path (APISIX reload starts it first), then drain: see Runner#shutdown(long, long).
        Runnable stop = () -> runner.shutdown(config.drainMillis() / 2, config.drainMillis());
        for (String sig : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(sig), s -> {
                LOG.log(Level.INFO, "SIG{0}: draining calls in flight and stopping", sig);
                Thread t = new Thread(stop, "a6-signal");
                t.start();
            });
        }
        // Any other way out of the JVM (System.exit in a plugin, SIGHUP) still removes the socket file.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runner.shutdown(0);
            started.close(PluginLifecycle.CLOSE_MILLIS);
        }, "a6-exit"));
        if (config.exitWithParent()) {
            watchParent(() -> {
                LOG.log(Level.WARNING, "parent process is gone: stopping");
                stop.run();
            });
        }
        runner.awaitStopped(Long.MAX_VALUE);
        started.close(PluginLifecycle.CLOSE_MILLIS); // after the drain: no call uses the plugins any more
        LOG.log(Level.INFO, "stopped");
        return 0;
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
