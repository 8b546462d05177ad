package io.github.a6sdk.runtime.dev;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.a6sdk.runtime.Main;
import io.github.a6sdk.runtime.PluginCatalog;
import io.github.a6sdk.runtime.PluginLifecycle;
import io.github.a6sdk.runtime.PluginStartException;
import io.github.a6sdk.runtime.Runner;
import io.github.a6sdk.runtime.RunnerConfig;
import io.github.a6sdk.runtime.RunnerLogging;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.tools.Json;
import io.github.a6sdk.runtime.tools.RouteConf;
import io.github.a6sdk.runtime.tools.Validate;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code java -jar plugins.jar dev}: an HTTP server on localhost that plays APISIX for the plugins
 * of the jar. It runs the runner in-process on a unix socket, calls it over the real protocol for
 * the matched route's {@code ext-plugin-*} chains, applies Stop, Rewrite and HTTPRespCall replies
 * as docs/protocol.md sections 5 and 7 describe, and proxies to the upstream (by default a built-in echo
 * server that answers with the request it received, as JSON). JDK only.
 */
public final class DevGateway implements Closeable {
    static final String USAGE = "usage: dev [--watch] [--port N] [--upstream URL] [--plugin NAME[=JSON]]... [--post-req NAME[=JSON]]...\n"
            + "           [--post-resp NAME[=JSON]]... [--routes routes.json]\n"
            + "  --watch       reload the plugins whenever the jar is rebuilt (mvn package): a new runner from the new jar\n"
            + "                takes the socket over, no call fails; a jar that does not start leaves the old one serving\n"
            + "  --port        port on localhost (default 9080; 0 picks a free one)\n"
            + "  --upstream    upstream base URL, such as http://127.0.0.1:8080 (default: a built-in echo server)\n"
            + "  --plugin      an ext-plugin-pre-req plugin of the default route (path prefix /); repeatable, in order\n"
            + "  --post-req    an ext-plugin-post-req plugin of the default route; repeatable\n"
            + "  --post-resp   an ext-plugin-post-resp plugin of the default route; repeatable\n"
            + "  --routes      a JSON file of APISIX routes: [{\"uri\":\"/api/*\",\"upstream\":\"http://...\",\n"
            + "                \"plugins\":{\"ext-plugin-pre-req\":{\"conf\":[{\"name\":\"say\",\"value\":\"{...}\"}]}}}]\n"
            + "  With no plugin and no routes: the routes of the jar's " + DevGateway.DEFAULT_ROUTES + " (same format as --routes)\n"
            + "  if it has one, else one route (path prefix /) running say with {\"body\":\"hello\"} when the jar has it.";

    /**
     * A resource a plugin jar may carry to name the routes {@code dev} serves when it is given no
     * {@code --plugin} and no {@code --routes}: a routes file, as for {@code --routes}.
     */
    public static final String DEFAULT_ROUTES = "META-INF/a6sdk/dev-routes.json";

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "content-length",
            "te", "trailer", "upgrade", "proxy-connection", "expect", "host", "http2-settings", "date");

    /**
     * A route: path patterns ({@code /api/*} is a prefix, anything else exact), an upstream
     * ({@code null} for the echo server) and each phase's conf entries.
     */
    public record Route(String label, List<String> uris, URI upstream, Map<String, List<Field>> conf) {
        int match(String path) {
            int best = -1;
            for (String u : uris) {
                if (u.endsWith("*")) {
                    String prefix = u.substring(0, u.length() - 1);
                    if (path.startsWith(prefix)) {
                        best = Math.max(best, prefix.length());
                    }
                } else if (u.equals(path)) {
                    return Integer.MAX_VALUE;
                }
            }
            return best;
        }

        List<Field> phase(String phase) {
            return conf.getOrDefault(phase, List.of());
        }
    }

    /** Replaced when {@code dev --watch} reloads a jar whose routes the gateway serves. */
    private volatile List<Route> routes;
    /** Where the runner is: in this process, or the child processes of {@code dev --watch}. */
    private final Backend backend;
    private final ExtPluginClient client;
    private final HttpServer server;
    private final HttpServer echo;
    private final ExecutorService executor;
    private final HttpClient http;
    private final PrintStream log;
    private final AtomicLong ids = new AtomicLong();
    private final CountDownLatch closed = new CountDownLatch(1);

    /** The runner the gateway calls: its socket, and what stops it when the gateway closes. */
    interface Backend {
        Path socket();

        void close();

        /** Registers what to run once a newer runner serves the socket, before the old one is stopped. */
        default void onRunnerReplaced(Runnable action) {
            // the in-process runner is never replaced
        }
    }

    /** {@code dev}'s runner: in this process, on a socket in a temporary folder, its plugins started first. */
    private static final class InProcess implements Backend {
        private final Path dir;
        private final Runner runner;
        /** The plugins, started (with the real environment's settings) before the runner. */
        private final PluginLifecycle plugins;

        InProcess(PluginCatalog catalog, PluginLifecycle plugins) throws IOException {
            this.plugins = plugins;
            this.dir = Files.createTempDirectory("a6-dev");
            Path socket = dir.resolve("runner.sock");
            dir.toFile().deleteOnExit();
            socket.toFile().deleteOnExit();
            this.runner = new Runner(RunnerConfig.fromEnvironment(Map.of("APISIX_LISTEN_ADDRESS", "unix:" + socket,
                    "A6_SOCKET_MODE", "0700", "A6_DRAIN_MS", "200", "A6_EXIT_WITH_PARENT", "false")), catalog).start();
        }

        @Override
        public Path socket() {
            return runner.socket();
        }

        @Override
        public void close() {
            try {
                runner.shutdown(200);
                plugins.close(PluginLifecycle.CLOSE_MILLIS);
            } finally {
                try {
                    Files.deleteIfExists(dir.resolve("runner.sock"));
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // deleteOnExit is the fallback
                }
            }
        }
    }

    private DevGateway(List<Route> routes, int port, PrintStream log, Backend backend) throws IOException {
        this.backend = backend;
        this.routes = List.copyOf(routes);
        this.log = log;
        this.client = new ExtPluginClient(backend.socket());
        backend.onRunnerReplaced(client::forgetConnections);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "a6-dev-http");
            t.setDaemon(true);
            return t;
        });
        InetAddress loopback = InetAddress.getLoopbackAddress();
        this.echo = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        echo.createContext("/", Echo::handle);
        echo.setExecutor(executor);
        echo.start();
        // the client first: the server answers as soon as it starts, before this constructor returns
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(executor)
                .build();
        this.server = HttpServer.create(new InetSocketAddress(loopback, port), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Starts the runner, the echo upstream and the gateway on {@code port} (0 for any free port). */
    public static DevGateway start(PluginCatalog catalog, List<Route> routes, int port, PrintStream log) throws IOException {
        PluginLifecycle plugins;
        try {
            plugins = PluginLifecycle.start(catalog.plugins(), System.getenv(), Main.version());
        } catch (PluginStartException e) {
            throw new IOException(e.getMessage(), e);
        }
        Backend backend;
        try {
            backend = new InProcess(catalog, plugins);
        } catch (IOException | RuntimeException e) {
            plugins.close(PluginLifecycle.CLOSE_MILLIS);
            throw e;
        }
        return start(routes, port, log, backend);
    }

    /** Starts the echo upstream and the gateway on {@code port}, calling the runner of {@code backend}. */
    static DevGateway start(List<Route> routes, int port, PrintStream log, Backend backend) throws IOException {
        try {
            return new DevGateway(routes, port, log, backend);
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /** Serves {@code routes} from now on (dev --watch, after a reload of a jar whose routes it serves). */
    void replaceRoutes(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    /** The port the gateway listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The built-in echo upstream. */
    public URI echoUri() {
        return URI.create("http://127.0.0.1:" + echo.getAddress().getPort());
    }

    /**
     * Starts a gateway from command-line flags (see {@link #USAGE}) and prints its routes to {@code out};
     * {@code null} after printing usage for {@code --help}.
     *
     * @throws IllegalArgumentException for a bad flag or routes file
     */
    public static DevGateway start(PluginCatalog catalog, String[] args, PrintStream out, PrintStream err)
            throws IOException {
        return start(catalog, DevGateway.class.getClassLoader(), args, out, err);
    }

    /**
     * As {@link #start(PluginCatalog, String[], PrintStream, PrintStream)}, looking up {@link #DEFAULT_ROUTES}
     * in {@code resources} (the plugin jar's class loader).
     */
    public static DevGateway start(PluginCatalog catalog, ClassLoader resources, String[] args, PrintStream out,
            PrintStream err) throws IOException {
        Object[] parsed = parse(catalog, resources, args, err);
        if (parsed == null) {
            return null;
        }
        @SuppressWarnings("unchecked")
        List<Route> routes = (List<Route>) parsed[1];
        DevGateway gateway = start(catalog, routes, (Integer) parsed[0], out);
        gateway.printStart(parsed, catalog, catalog.names(), out);
        return gateway;
    }

    /** The start lines: where the gateway listens, its runner and plugins, and each route. */
    void printStart(Object[] parsed, PluginCatalog catalog, List<String> pluginNames, PrintStream out) {
        @SuppressWarnings("unchecked")
        List<Route> routes = (List<Route>) parsed[1];
        out.println("a6 dev gateway on http://localhost:" + port() + " (runner on " + backend.socket()
                + ", plugins " + pluginNames + ")");
        if (parsed[2] != null) {
            out.println("  routes from the jar's " + parsed[2]);
        }
        for (Route r : routes) {
            out.println("  route " + r.label() + " " + r.uris() + " -> " + (r.upstream() == null ? "echo" : r.upstream())
                    + describe(r, catalog));
        }
    }

    /** Runs {@code dev} from the command line until the process is stopped. */
    public static int run(PluginCatalog catalog, String[] args, PrintStream out, PrintStream err) {
        RunnerLogging.configure("WARN");
        if (args.length >= 2 && args[0].equals(DevWatch.WATCHED_JAR)) {
            return DevWatch.serve(catalog, Path.of(args[1]), java.util.Arrays.copyOfRange(args, 2, args.length), out, err);
        }
        DevGateway gateway;
        try {
            gateway = start(catalog, args, out, err);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("error: cannot start: " + e.getMessage());
            return 1;
        }
        if (gateway == null) {
            return 0;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "a6-dev-stop"));
        gateway.awaitClosed();
        return 0;
    }

    /**
     * Parses the flags: {port, routes, the default routes resource used or {@code null}, the upstream
     * given or {@code null}}, or {@code null} after printing usage.
     */
    static Object[] parse(PluginCatalog catalog, ClassLoader resources, String[] args, PrintStream err) {
        int port = 9080;
        URI upstream = null;
        Path routesFile = null;
        Map<String, List<Field>> conf = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                err.println(USAGE);
                return null;
            }
            if (i + 1 >= args.length || !a.startsWith("--")) {
                throw new IllegalArgumentException((a.startsWith("--") ? a + " needs a value" : "unexpected argument " + a)
                        + "\n" + USAGE);
            }
            String v = args[++i];
            switch (a) {
                case "--port":
                    try {
                        port = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        port = -1;
                    }
                    if (port < 0 || port > 65535) {
                        throw new IllegalArgumentException("--port must be a number from 0 to 65535, got " + v);
                    }
                    break;
                case "--upstream":
                    upstream = upstream(v);
                    break;
                case "--routes":
                    routesFile = Path.of(v);
                    break;
                case "--plugin":
                case "--pre-req":
                case "--post-req":
                case "--post-resp":
                    String phase = a.equals("--plugin") ? "ext-plugin-pre-req" : "ext-plugin" + a.substring(1);
                    int eq = v.indexOf('=');
                    String name = eq < 0 ? v : v.substring(0, eq);
                    String json = eq < 0 ? "" : v.substring(eq + 1);
                    conf.computeIfAbsent(phase, k -> new ArrayList<>()).add(new Field(name, json));
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
            }
        }
        List<Route> routes = new ArrayList<>();
        if (routesFile != null) {
            try {
                routes.addAll(routes(Json.parse(Files.readString(routesFile)), upstream));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + routesFile + ": " + e.getMessage(), e);
            }
        }
        URL bundled = conf.isEmpty() && routesFile == null ? resources.getResource(DEFAULT_ROUTES) : null;
        if (bundled != null) {
            try (InputStream in = bundled.openStream()) {
                routes.addAll(routes(Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)), upstream));
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException("the jar's " + DEFAULT_ROUTES + ": " + e.getMessage(), e);
            }
        } else if (conf.isEmpty() && routesFile == null && catalog.find("say") != null) {
            conf.put("ext-plugin-pre-req", List.of(new Field("say", "{\"body\":\"hello\"}")));
        }
        if (!conf.isEmpty() || (routesFile == null && bundled == null)) {
            routes.add(new Route("default", List.of("/*"), upstream, conf));
        }
        for (Route r : routes) {
            for (Map.Entry<String, List<Field>> e : r.conf().entrySet()) {
                for (int i = 0; i < e.getValue().size(); i++) {
                    Field f = e.getValue().get(i);
                    String problem = Validate.problem(catalog, new RouteConf.Entry(e.getKey(), i, f.name(), f.value(), null));
                    if (problem != null) {
                        err.println("warning: route " + r.label() + " " + e.getKey() + ".conf[" + i + "]: " + problem
                                + " (the runner will reject it and the gateway answers 503, as APISIX would)");
                    }
                }
            }
        }
        return new Object[] {port, routes, bundled == null ? null : DEFAULT_ROUTES, upstream};
    }

    /** Routes from a routes file: APISIX route objects (see {@link RouteConf#routes}). */
    public static List<Route> routes(Object doc, URI defaultUpstream) {
        List<Route> out = new ArrayList<>();
        for (RouteConf.Route r : RouteConf.routes(doc)) {
            Map<String, Object> o = r.object();
            List<String> uris = new ArrayList<>();
            if (o.get("uri") instanceof String s) {
                uris.add(s);
            } else if (o.get("uris") instanceof List<?> list) {
                for (Object u : list) {
                    uris.add(String.valueOf(u));
                }
            } else if (o.get("prefix") instanceof String p) {
                uris.add(p.endsWith("*") ? p : p + "*");
            } else {
                uris.add("/*");
            }
            Map<String, List<Field>> conf = new LinkedHashMap<>();
            for (RouteConf.Entry e : RouteConf.entries(o)) {
                if (e.problem() != null) {
                    throw new IllegalArgumentException(r.label() + ": " + e.where() + ": " + e.problem());
                }
                conf.computeIfAbsent(e.phase(), k -> new ArrayList<>()).add(new Field(e.name(), e.value()));
            }
            out.add(new Route(r.label(), uris, upstreamOf(o.get("upstream"), defaultUpstream, r.label()), conf));
        }
        return out;
    }

    private static URI upstreamOf(Object u, URI dflt, String label) {
        if (u == null) {
            return dflt;
        }
        if (u instanceof String s) {
            return upstream(s);
        }
        if (u instanceof Map<?, ?> m) {
            String scheme = m.get("scheme") instanceof String s ? s : "http";
            Object nodes = m.get("nodes");
            if (nodes instanceof Map<?, ?> nm && !nm.isEmpty()) {
                return upstream(scheme + "://" + nm.keySet().iterator().next());
            }
            if (nodes instanceof List<?> nl && !nl.isEmpty() && nl.get(0) instanceof Map<?, ?> n) {
                return upstream(scheme + "://" + n.get("host") + ":" + n.get("port"));
            }
        }
        throw new IllegalArgumentException(label + ": upstream must be a URL or {\"nodes\":{\"host:port\":1}}");
    }

    private static URI upstream(String s) {
        try {
            URI u = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
            if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
                throw new IllegalArgumentException();
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("upstream must be an http(s) URL such as http://127.0.0.1:8080, got " + s, e);
        }
    }

    /**
     * A route's plugins for the log, phase by phase: {@code pre-req=[token-auth, rewrite]}; with a
     * catalog, each with its config as the config record's {@code toString()} shows it (a record can
     * keep its secrets out of logs that way), never the raw JSON.
     */
    static String describe(Route r, PluginCatalog catalog) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, List<Field>> e : r.conf().entrySet()) {
            List<String> shown = new ArrayList<>();
            for (Field f : e.getValue()) {
                shown.add(catalog == null ? f.name() : f.name() + " " + shownConfig(catalog, f));
            }
            sb.append(' ').append(e.getKey().substring("ext-plugin-".length())).append('=').append(shown);
        }
        return sb.toString();
    }

    /** The parsed config's {@code toString()}, or what is wrong with it (that message never quotes the whole JSON). */
    private static String shownConfig(PluginCatalog catalog, Field f) {
        var d = catalog.find(f.name());
        if (d == null) {
            return "(unknown plugin)";
        }
        try {
            return String.valueOf(d.parseConfig(f.value()));
        } catch (io.github.a6sdk.api.ConfigException | RuntimeException e) {
            return "(invalid config)";
        }
    }

    private Route match(String path) {
        Route best = null;
        int bestScore = -1;
        for (Route r : routes) {
            int score = r.match(path);
            if (score > bestScore) {
                best = r;
                bestScore = score;
            }
        }
        return best;
    }

    private void handle(HttpExchange ex) throws IOException {
        long start = System.nanoTime();
        long[] runnerNanos = {0};
        String action = "pass";
        int status = 500;
        Route route = null;
        URI requestUri = ex.getRequestURI();
        try {
            byte[] body = ex.getRequestBody().readAllBytes();
            List<Field> headers = new ArrayList<>();
            ex.getRequestHeaders().forEach((name, values) -> {
                for (String v : values) {
                    headers.add(new Field(name.toLowerCase(Locale.ROOT), v));
                }
            });
            String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
            if (!isA6Method(method)) {
                action = "unsupported method";
                status = send(ex, 405, List.of(), text("APISIX cannot send method " + method + " to a runner\n"));
                return;
            }
            URI normalized = requestUri.normalize();
            HttpCall call = new HttpCall(method, normalized.getPath(), requestUri.getRawQuery(), headers, body,
                    ex.getRemoteAddress(), ex.getLocalAddress());
            route = match(call.path);
            if (route == null) {
                action = "no route";
                status = send(ex, 404, List.of(), text("no route matches " + call.path + "\n"));
                return;
            }
            int index = routes.indexOf(route);
            long id = ids.incrementAndGet();
            for (String phase : List.of("ext-plugin-pre-req", "ext-plugin-post-req")) {
                List<Field> conf = route.phase(phase);
                if (conf.isEmpty()) {
                    continue;
                }
                Reply reply = timed(runnerNanos, () -> client.call(key(index, phase), conf, call.toCallRequest(id),
                        call.answers(null)));
                if (reply instanceof Reply.Stop stop) {
                    action = "stop";
                    List<Field> out = new ArrayList<>();
                    HttpCall.setOrAdd(out, stop.headers(), Set.of());
                    status = send(ex, stop.status() == 0 ? 200 : stop.status(), out, stop.body());
                    return;
                }
                if (reply instanceof Reply.Rewrite rewrite) {
                    action = action.equals("pass") ? "rewrite" : action + "+rewrite";
                    call.apply(rewrite);
                } else if (reply instanceof Reply.Error err) {
                    action = "error " + err.codeName();
                    status = send(ex, 503, List.of(), text("503 Service Unavailable: the plugin runner answered "
                            + err.codeName() + " in " + phase + "\n"));
                    return;
                }
            }
            HttpResponse<byte[]> upstream;
            try {
                upstream = proxy(route, call);
            } catch (IOException e) {
                action += ", upstream failed: " + e;
                status = send(ex, 502, List.of(), text("502 Bad Gateway: " + e + "\n"));
                return;
            }
            List<Field> upstreamHeaders = new ArrayList<>();
            upstream.headers().map().forEach((name, values) -> {
                if (!name.startsWith(":")) {
                    for (String v : values) {
                        upstreamHeaders.add(new Field(name, v));
                    }
                }
            });
            List<Field> conf = route.phase("ext-plugin-post-resp");
            if (conf.isEmpty()) {
                List<Field> out = new ArrayList<>();
                for (Field h : upstreamHeaders) {
                    if (!HOP_BY_HOP.contains(h.name().toLowerCase(Locale.ROOT))) {
                        out.add(h);
                    }
                }
                HttpCall.setOrAdd(out, call.responseHeaders, Set.of());
                status = send(ex, upstream.statusCode(), out, upstream.body());
                return;
            }
            Reply reply = timed(runnerNanos, () -> client.respCall(key(index, "ext-plugin-post-resp"), conf, id,
                    upstream.statusCode(), upstreamHeaders, call.answers(upstream.body())));
            List<Field> out = new ArrayList<>(call.responseHeaders);
            if (reply instanceof Reply.RespCall resp) {
                action += resp.status() == 0 && resp.headers().isEmpty() && (resp.body() == null || resp.body().length == 0)
                        ? ", post-resp pass" : ", post-resp change";
                if (resp.headers().isEmpty()) {
                    for (Field h : upstreamHeaders) {
                        if (!HttpCall.FILTERED.contains(h.name().toLowerCase(Locale.ROOT))
                                && !HOP_BY_HOP.contains(h.name().toLowerCase(Locale.ROOT))) {
                            HttpCall.removeAll(out, h.name(), true);
                        }
                    }
                    for (Field h : upstreamHeaders) {
                        if (!HttpCall.FILTERED.contains(h.name().toLowerCase(Locale.ROOT))
                                && !HOP_BY_HOP.contains(h.name().toLowerCase(Locale.ROOT))) {
                            out.add(h);
                        }
                    }
                } else {
                    HttpCall.setOrAdd(out, resp.headers(), Set.of());
                }
                byte[] b = resp.body() == null || resp.body().length == 0 ? upstream.body() : resp.body();
                status = send(ex, resp.status() == 0 ? upstream.statusCode() : resp.status(), out, b);
            } else {
                action += ", post-resp error " + ((Reply.Error) reply).codeName();
                status = send(ex, 503, out, upstream.body());
            }
        } catch (IOException | RuntimeException e) {
            action = "runner failed: " + e;
            status = send(ex, 503, List.of(), text("503 Service Unavailable: " + e + "\n"));
        } finally {
            ex.close();
            log.printf(Locale.ROOT, "%s %s route=%s plugins=%s action=%s status=%d runner=%.2fms total=%.2fms%n",
                    ex.getRequestMethod(), requestUri, route == null ? "-" : route.label(),
                    route == null ? "[]" : describe(route, null).trim(), action, status, runnerNanos[0] / 1e6,
                    (System.nanoTime() - start) / 1e6);
        }
    }

    private static boolean isA6Method(String method) {
        for (io.github.a6sdk.api.Method m : io.github.a6sdk.api.Method.values()) {
            if (m.name().equals(method)) {
                return true;
            }
        }
        return false;
    }

    private interface RunnerCall {
        Reply run() throws IOException;
    }

    private static Reply timed(long[] total, RunnerCall call) throws IOException {
        long t = System.nanoTime();
        try {
            return call.run();
        } finally {
            total[0] += System.nanoTime() - t;
        }
    }

    private static String key(int route, String phase) {
        return "route#" + route + "#" + phase + "#1";
    }

    private HttpResponse<byte[]> proxy(Route route, HttpCall call) throws IOException {
        URI base = route.upstream() == null ? echoUri() : route.upstream();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + call.upstreamUri()))
                .timeout(Duration.ofSeconds(60))
                .method(call.method, call.body == null || call.body.length == 0
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(call.body));
        for (Field h : call.headers) {
            if (!HOP_BY_HOP.contains(h.name())) {
                b.header(h.name(), h.value());
            }
        }
        String host = call.upstreamHost != null ? call.upstreamHost : HttpCall.first(call.headers, "host");
        if (host != null) {
            try {
                b.setHeader("Host", host);
            } catch (IllegalArgumentException restricted) {
                // the JDK client was loaded without jdk.httpclient.allowRestrictedHeaders=host
            }
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int send(HttpExchange ex, int status, List<Field> headers, byte[] body) throws IOException {
        boolean hasType = false;
        for (Field h : headers) {
            ex.getResponseHeaders().add(h.name(), h.value());
            hasType |= h.name().equalsIgnoreCase("content-type");
        }
        int length = body == null ? 0 : body.length;
        if (!hasType && length > 0) {
            ex.getResponseHeaders().add("Content-Type", "text/plain");
        }
        boolean noBody = length == 0 || ex.getRequestMethod().equalsIgnoreCase("HEAD") || status == 204 || status == 304;
        ex.sendResponseHeaders(status, noBody ? -1 : length);
        if (!noBody) {
            ex.getResponseBody().write(body);
        }
        return status;
    }

    /** Waits until {@link #close} has run. */
    public void awaitClosed() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        synchronized (closed) {
            if (closed.getCount() == 0) {
                return;
            }
            try {
                backend.close();
                client.close();
                server.stop(0);
                echo.stop(0);
                executor.shutdownNow();
            } finally {
                closed.countDown();
            }
        }
    }

    static {
        if (System.getProperty("jdk.httpclient.allowRestrictedHeaders") == null) {
            System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        }
    }
}
