package io.github.a6sdk.testkit;

import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.runtime.PluginCatalog;
import io.github.a6sdk.runtime.PluginLifecycle;
import io.github.a6sdk.runtime.Runner;
import io.github.a6sdk.runtime.RunnerConfig;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.dev.ExtPluginClient;
import io.github.a6sdk.runtime.tools.RouteConf;
import io.github.a6sdk.runtime.tools.Validate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * APISIX's side of the ext-plugin protocol, for tests over the real codec and a real unix socket.
 * It starts a runner in-process on a temporary socket (or connects to one), sends PrepareConf on its
 * own connection, HTTPReqCall and HTTPRespCall, answers ExtraInfo questions from the test's values,
 * and retries after CONF_TOKEN_NOT_FOUND as APISIX does (forget every token, new PrepareConf, at
 * most 3 attempts).
 *
 * <pre>{@code
 * try (FakeApisix apisix = FakeApisix.start()) {
 *     RequestOutcome out = apisix.route("say", "{\"body\":\"hello\"}").request(TestRequest.get("/"));
 *     assertEquals("hello", out.stopped().bodyAsString());
 * }
 * }</pre>
 */
public final class FakeApisix implements AutoCloseable {
    private final PluginCatalog catalog;
    private final Path dir;
    private final Path socket;
    private Runner runner;
    private final ExtPluginClient client;
    private final AtomicInteger routes = new AtomicInteger();
    /** The started plugins, closed after the runner; {@code null} for {@link #connect}. */
    private PluginLifecycle plugins;
    /** What in-process runners log while this is open, kept out of the test's output. */
    private final RunnerLog log = RunnerLog.open();

    private FakeApisix(PluginCatalog catalog, Path dir, Path socket) throws IOException {
        this.catalog = catalog;
        this.dir = dir;
        this.socket = socket;
        try {
            if (catalog != null) {
                this.runner = newRunner();
            }
            this.client = new ExtPluginClient(socket);
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /**
     * Starts a runner in-process with every plugin on the class path (the generated registries).
     * Start hooks get no settings; see {@link #start(Map)}.
     */
    public static FakeApisix start() {
        return start(Map.of());
    }

    /** Starts a runner in-process with only these plugins; start hooks get no settings. */
    public static FakeApisix start(PluginDescriptor<?>... plugins) {
        return start(Map.of(), plugins);
    }

    /**
     * Starts a runner in-process with every plugin on the class path, first calling their start
     * hooks with {@code settings} as the environment ({@code A6_PLUGIN_<NAME>_<KEY>} variables; the
     * real environment is not read). {@link #close()} closes the {@code AutoCloseable} plugins after
     * the runner has stopped; a {@link #restartRunner} keeps the same, started plugins.
     *
     * @throws IllegalStateException with the line the runner would log when a start hook fails
     */
    public static FakeApisix start(Map<String, String> settings) {
        return start(PluginCatalog.load(Thread.currentThread().getContextClassLoader()), settings);
    }

    /** Like {@link #start(Map)}, with only these plugins. */
    public static FakeApisix start(Map<String, String> settings, PluginDescriptor<?>... plugins) {
        return start(PluginChain.catalog(Arrays.asList(plugins)), settings);
    }

    private static FakeApisix start(PluginCatalog catalog, Map<String, String> settings) {
        PluginLifecycle started = StartedPlugins.lifecycle(catalog.plugins(), settings);
        try {
            Path dir = Files.createTempDirectory("a6-test");
            FakeApisix apisix = new FakeApisix(catalog, dir, dir.resolve("runner.sock"));
            apisix.plugins = started;
            return apisix;
        } catch (IOException e) {
            started.close(PluginLifecycle.CLOSE_MILLIS);
            throw new UncheckedIOException("cannot start the runner: " + e.getMessage(), e);
        }
    }

    /** Talks to a runner that is already listening on {@code socket}. */
    public static FakeApisix connect(Path socket) {
        try {
            return new FakeApisix(null, null, socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Runner newRunner() throws IOException {
        return new Runner(RunnerConfig.fromEnvironment(Map.of("APISIX_LISTEN_ADDRESS", "unix:" + socket,
                "A6_SOCKET_MODE", "0700", "A6_DRAIN_MS", "100", "A6_EXIT_WITH_PARENT", "false")), catalog).start();
    }

    /** The runner's socket. */
    public Path socket() {
        return socket;
    }

    /** How a runner restart looks from APISIX's side: see {@link #restartRunner(Restart)}. */
    public enum Restart {
        /**
         * {@code apisix reload}, a runner on {@code path_for_test}, or a runner managed outside
         * APISIX: a new runner takes the socket over while the old one still serves, then the old
         * one is stopped. APISIX keeps every conf token it holds (nginx keeps the shared dict across a
         * reload), so the old runner's tokens reach the new one, which must answer them
         * CONF_TOKEN_NOT_FOUND (never with another route's chain); APISIX then prepares again.
         */
        RELOAD,
        /**
         * The runner that APISIX manages exited and APISIX started it again: APISIX flushes its
         * token cache on the runner's exit, so every route is prepared again.
         */
        RESPAWN
    }

    /** {@link #restartRunner(Restart) restartRunner(Restart.RELOAD)}: the harder case for a plugin's routes. */
    public FakeApisix restartRunner() {
        return restartRunner(Restart.RELOAD);
    }

    /**
     * Replaces the in-process runner with a fresh one on the same socket, the way {@code how}
     * says. The new runner has no confs. Idle connections to the old runner are dropped, as nginx
     * notices the runner closed them.
     */
    public FakeApisix restartRunner(Restart how) {
        if (runner == null) {
            throw new IllegalStateException("the runner was not started by this FakeApisix");
        }
        Runner old = runner;
        try {
            if (how == Restart.RELOAD) {
                runner = newRunner(); // takes the socket over while the old runner still serves
                old.shutdown(100);
                client.closeIdle();
            } else {
                old.shutdown(100);
                client.closeIdle();
                client.forgetTokens();
                runner = newRunner();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Forgets every cached conf token, as APISIX does when the runner it manages exits. */
    public FakeApisix forgetTokens() {
        client.forgetTokens();
        return this;
    }

    /**
     * What runners in this JVM logged while this {@code FakeApisix} was open (their own logger,
     * {@code io.github.a6sdk.runtime}; plugins' loggers are left alone): one line per record, its level,
     * message and exception. These lines are kept instead of printed, so that a test that expects a
     * call to fail prints no ERROR into the build's output; a failed call's {@code failure()} quotes
     * the lines logged during that call. At most the last 1,000 lines are kept. Empty when
     * {@code System.Logger} is routed to another backend than {@code java.util.logging}.
     *
     * @return the lines, oldest first
     */
    public List<String> runnerLog() {
        return log.lines();
    }

    /**
     * Why a call on {@code conf} in {@code phase} was answered with an error: a plugin the runner
     * does not have, a config it rejects (then also the {@link ConfigException}), a phase the plugin
     * does not implement; else the lines the runner logged during the call.
     */
    private Why why(List<Field> conf, String phase, long mark) {
        if (catalog != null) {
            for (int i = 0; i < conf.size(); i++) {
                Field entry = conf.get(i);
                PluginDescriptor<?> d = catalog.find(entry.name());
                if (d == null) {
                    return new Why(PluginChain.noSuchPlugin(entry.name(), catalog), null);
                }
                try {
                    d.parseConfig(entry.value());
                } catch (ConfigException e) {
                    return new Why(e.getMessage(), e);
                } catch (RuntimeException e) {
                    return new Why("plugin \"" + d.name() + "\": the config parser failed: " + e, null);
                }
                String problem = Validate.problem(catalog, new RouteConf.Entry(phase, i, entry.name(), entry.value(), null));
                if (problem != null) {
                    return new Why(problem, null);
                }
            }
        }
        List<String> logged = log.since(mark);
        return new Why(logged.isEmpty() ? null : "the runner logged: " + String.join(" | ", logged), null);
    }

    /** The reason of a failed call, and the config error when that was it. */
    private record Why(String reason, ConfigException config) {
        String suffix() {
            return reason == null ? "" : ": " + reason;
        }
    }

    /** PrepareConf requests sent so far. */
    public int prepareCount() {
        return client.prepareCount();
    }

    /** Attempts repeated after CONF_TOKEN_NOT_FOUND so far. */
    public int retryCount() {
        return client.retryCount();
    }

    /** A route whose {@code ext-plugin-*} conf starts with plugin {@code name} and its config text. */
    public Route route(String name, String json) {
        return new Route(routes.incrementAndGet(), List.of(new Field(name, json)));
    }

    /** A route with several conf entries, in order. */
    public Route route(List<Field> conf) {
        return new Route(routes.incrementAndGet(), List.copyOf(conf));
    }

    /** One route's conf: sent as {@code ext-plugin-pre-req} for requests and {@code ext-plugin-post-resp} for responses. */
    public final class Route {
        private final int id;
        private final List<Field> conf;

        private Route(int id, List<Field> conf) {
            this.id = id;
            this.conf = conf;
        }

        /** The same route with one more plugin (a new route id, so a new conf key). */
        public Route then(String name, String json) {
            List<Field> next = new ArrayList<>(conf);
            next.add(new Field(name, json));
            return new Route(routes.incrementAndGet(), next);
        }

        /** The conf key APISIX would send for {@code phase}: {@code route#<id>#ext-plugin-pre-req#1}. */
        public String key(String phase) {
            return "route#" + id + "#" + phase + "#1";
        }

        /** Sends the request as {@code ext-plugin-pre-req} would. */
        public RequestOutcome request(TestRequest request) {
            ExtraInfoAnswers answers = new ExtraInfoAnswers() {
                @Override
                public byte[] var(String name) {
                    super.var(name);
                    return request.var(name);
                }

                @Override
                public byte[] requestBody() {
                    super.requestBody();
                    return request.body();
                }

                @Override
                public byte[] responseBody() {
                    super.responseBody();
                    return null;
                }
            };
            Reply r;
            long mark = log.mark();
            try {
                r = client.call(key("ext-plugin-pre-req"), Field.toWire(conf), request.toCallRequest(), answers);
            } catch (IOException e) {
                return new RequestOutcome("the call failed: " + e + " (APISIX answers the client 503)"
                        + why(List.of(), "ext-plugin-pre-req", mark).suffix(), e, null);
            }
            if (r instanceof Reply.Error err) {
                Why why = why(conf, "ext-plugin-pre-req", mark);
                return new RequestOutcome("the runner answered " + err.codeName() + " (APISIX answers the client 503)"
                        + why.suffix(), null, why.config());
            }
            return new RequestOutcome(r);
        }

        /** Sends the upstream response as {@code ext-plugin-post-resp} would. */
        public ResponseOutcome response(TestUpstream upstream) {
            ExtraInfoAnswers answers = new ExtraInfoAnswers() {
                @Override
                public byte[] var(String name) {
                    super.var(name);
                    return upstream.var(name);
                }

                @Override
                public byte[] requestBody() {
                    super.requestBody();
                    return upstream.requestBody();
                }

                @Override
                public byte[] responseBody() {
                    super.responseBody();
                    return upstream.body();
                }
            };
            Reply r;
            long mark = log.mark();
            try {
                r = client.respCall(key("ext-plugin-post-resp"), Field.toWire(conf), upstream.id, upstream.status,
                        Field.toWire(upstream.headers),
                        answers);
            } catch (IOException e) {
                return new ResponseOutcome("the call failed: " + e + why(List.of(), "ext-plugin-post-resp", mark).suffix(),
                        e, upstream, null);
            }
            if (r instanceof Reply.Error err) {
                Why why = why(conf, "ext-plugin-post-resp", mark);
                return new ResponseOutcome("the runner answered " + err.codeName() + why.suffix(), null, upstream,
                        why.config());
            }
            return new ResponseOutcome((Reply.RespCall) r, upstream);
        }
    }

    @Override
    public void close() {
        client.close();
        if (runner != null) {
            runner.shutdown(100);
        }
        if (plugins != null) {
            plugins.close(PluginLifecycle.CLOSE_MILLIS);
        }
        log.close();
        if (dir != null) {
            try {
                Files.deleteIfExists(socket);
                Files.deleteIfExists(dir);
            } catch (IOException ignored) {
                // a temp dir left behind
            }
        }
    }
}
