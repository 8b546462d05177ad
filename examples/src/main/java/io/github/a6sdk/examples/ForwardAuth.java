package io.github.a6sdk.examples;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.Method;
import io.github.a6sdk.api.PluginContext;
import io.github.a6sdk.api.RequestFilter;
import io.github.a6sdk.api.RouteState;
import io.github.a6sdk.api.SettingException;
import io.github.a6sdk.api.Startable;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Java counterpart of APISIX's {@code forward-auth}: asks an auth service whether a request may
 * pass. It sends the chosen request headers, plus {@code X-Forwarded-Proto/-Method/-Host/-Uri/-For},
 * in a GET to the service. On 2xx the request goes on, with the chosen headers of the service's
 * answer copied into it (a chosen header the answer lacks is removed, so a client cannot send it
 * itself). Otherwise the client gets the service's status, body and chosen headers. When the service
 * is down or slower than the route's timeout, the client gets {@code statusOnError} (503), or the
 * request passes with {@code failOpen}, and a log line says why (at most one a second).
 *
 * <p>One {@link HttpClient} serves every route and connection; it is thread-safe. It is built on the
 * first call rather than in {@link #start}: building it loads the JDK's HTTP and TLS classes and
 * its trust store (some 70 ms, which would delay the runner's start, and APISIX's first requests,
 * even for routes that never use this plugin), and it starts a selector thread that waits in a
 * system call, which on Java 17 holds the JVM's exit for 300 ms. Settings:
 * {@code A6_PLUGIN_FORWARD_AUTH_URI} (the service when a route names none) and
 * {@code A6_PLUGIN_FORWARD_AUTH_CONNECT_TIMEOUT_MS} (default 1000).
 * Route config: {@code {"uri":"http://auth:9000/check","requestHeaders":["authorization"],
 * "upstreamHeaders":["x-user-id"],"clientHeaders":["www-authenticate"]}}.
 */
@ApisixPlugin(name = "forward-auth", vars = {"scheme", "host", "request_uri"})
public final class ForwardAuth implements RequestFilter<ForwardAuth.Config>, Startable, AutoCloseable {

    /** Headers the JDK's HTTP client sets itself and refuses to take from us. */
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * @param uri the auth service (http or https); when absent, setting {@code uri} of the plugin
     * @param requestHeaders client request headers sent to the service
     * @param upstreamHeaders headers of the service's 2xx answer copied into the request
     * @param clientHeaders headers of the service's other answers copied to the client
     * @param timeoutMs how long the whole exchange with the service may take; default 3000
     * @param failOpen let the request pass when the service is down or slow; default false
     * @param statusOnError the client's status when the service is down or slow (and not fail-open); default 503
     * @param target {@code uri}, checked and parsed once per route config (not read from JSON)
     */
    public record Config(String uri, List<String> requestHeaders, List<String> upstreamHeaders,
            List<String> clientHeaders, Integer timeoutMs, Boolean failOpen, Integer statusOnError,
            @RouteState URI target) {
        public Config {
            target = uri == null ? null : checkUri(uri, "uri");
            requestHeaders = names(requestHeaders);
            upstreamHeaders = names(upstreamHeaders);
            clientHeaders = names(clientHeaders);
            for (String name : requestHeaders) {
                if (RESTRICTED.contains(name)) {
                    throw new IllegalArgumentException("requestHeaders cannot forward \"" + name
                            + "\": the HTTP client sets it itself; forbidden are " + RESTRICTED);
                }
            }
            if (timeoutMs == null) {
                timeoutMs = 3000;
            } else if (timeoutMs < 1 || timeoutMs > 60_000) {
                throw new IllegalArgumentException("timeoutMs must be from 1 to 60000, got " + timeoutMs);
            }
            if (failOpen == null) {
                failOpen = false;
            }
            if (statusOnError == null) {
                statusOnError = 503;
            } else if (statusOnError < 200 || statusOnError > 599) {
                throw new IllegalArgumentException("statusOnError must be from 200 to 599, got " + statusOnError);
            }
        }

        private static List<String> names(List<String> names) {
            if (names == null) {
                return List.of();
            }
            return names.stream().map(n -> {
                if (n == null || n.isBlank()) {
                    throw new IllegalArgumentException("header names must not be empty");
                }
                return n.trim().toLowerCase(Locale.ROOT);
            }).toList();
        }
    }

    private volatile HttpClient client;
    private ExecutorService executor;
    private volatile boolean started;
    private int connectTimeoutMs;
    /** Set by {@link #close}: a call that comes after it gets no new client. Guarded by {@code this}. */
    private boolean closed;
    private URI defaultUri;
    private System.Logger log;
    private final AtomicLong lastFailureLog = new AtomicLong();
    private final AtomicInteger failures = new AtomicInteger();

    @Override
    public void start(PluginContext context) {
        Optional<String> uri = context.setting("uri");
        if (uri.isPresent()) {
            try {
                defaultUri = checkUri(uri.get(), context.variable("uri"));
            } catch (IllegalArgumentException e) {
                throw new SettingException(context.variable("uri"), e.getMessage());
            }
        }
        int connectTimeoutMs = context.intSetting("connect-timeout-ms", 1000, 1, 60_000);
        log = context.logger();
        lastFailureLog.set(System.nanoTime() - LOG_EVERY_NANOS);
        this.connectTimeoutMs = connectTimeoutMs;
        started = true;
    }

    /** The HTTP client, built by the first call that needs it. */
    private HttpClient client() {
        HttpClient c = client;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("forward-auth is closed: the runner is stopping");
            }
            if (client == null) {
                AtomicInteger threads = new AtomicInteger();
                executor = Executors.newCachedThreadPool(r -> {
                    Thread t = new Thread(r, "forward-auth-http-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
                client = HttpClient.newBuilder()
                        .connectTimeout(Duration.ofMillis(connectTimeoutMs))
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .executor(executor)
                        .build();
            }
            return client;
        }
    }

    @Override
    public void filter(Config config, HttpRequest request, HttpResponse response) throws Exception {
        if (!started) {
            throw new IllegalStateException("forward-auth was not started: the runner calls start() first "
                    + "(in a test: StartedPlugins.start(settings, descriptor))");
        }
        URI uri = config.target() != null ? config.target() : defaultUri;
        if (uri == null) {
            throw new IllegalStateException("no auth service: set \"uri\" in the route config or "
                    + "A6_PLUGIN_FORWARD_AUTH_URI");
        }
        java.net.http.HttpRequest.Builder ask = java.net.http.HttpRequest.newBuilder(uri).GET()
                .timeout(Duration.ofMillis(config.timeoutMs()));
        for (String name : config.requestHeaders()) {
            for (String value : request.headers().getAll(name)) {
                if (value != null) {
                    ask.header(name, value);
                }
            }
        }
        Method method = request.method();
        forwarded(ask, "X-Forwarded-Proto", request.var("scheme"));
        forwarded(ask, "X-Forwarded-Method", method == null ? null : method.name());
        forwarded(ask, "X-Forwarded-Host", request.var("host"));
        forwarded(ask, "X-Forwarded-Uri", request.var("request_uri"));
        forwarded(ask, "X-Forwarded-For", request.sourceIp());

        java.net.http.HttpResponse<byte[]> answer;
        CompletableFuture<java.net.http.HttpResponse<byte[]>> pending =
                client().sendAsync(ask.build(), BodyHandlers.ofByteArray());
        try {
            // The request timeout covers the headers; this bounds the body too.
            answer = pending.get(config.timeoutMs(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            pending.cancel(true);
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            unavailable(config, uri, cause, response);
            return;
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw e;
        }

        if (answer.statusCode() >= 200 && answer.statusCode() < 300) {
            for (String name : config.upstreamHeaders()) {
                Optional<String> value = answer.headers().firstValue(name);
                if (value.isPresent()) {
                    request.headers().set(name, value.get());
                } else if (request.headers().contains(name)) {
                    request.headers().remove(name); // never let the client supply it
                }
            }
            return;
        }
        response.setStatus(answer.statusCode());
        for (String name : config.clientHeaders()) {
            for (String value : answer.headers().allValues(name)) {
                response.addHeader(name, value);
            }
        }
        if (answer.body().length > 0) {
            response.setBody(answer.body());
        }
    }

    private static void forwarded(java.net.http.HttpRequest.Builder ask, String name, String value) {
        if (value != null && !value.isEmpty()) {
            ask.header(name, value);
        }
    }

    /** The service failed or was too slow: fail closed (or open), and say so at most once a second. */
    private void unavailable(Config config, URI uri, Throwable cause, HttpResponse response) {
        failures.incrementAndGet();
        long now = System.nanoTime();
        long last = lastFailureLog.get();
        if (now - last >= LOG_EVERY_NANOS && lastFailureLog.compareAndSet(last, now)) {
            int count = failures.getAndSet(0);
            String reason = cause instanceof TimeoutException || cause instanceof java.net.http.HttpTimeoutException
                    ? "no answer within " + config.timeoutMs() + " ms"
                    : cause.toString();
            log.log(Level.WARNING, "auth service {0} failed: {1}; {2} (failures since the last such line: {3})",
                    uri, reason, config.failOpen() ? "letting the request pass (failOpen)"
                            : "answering " + config.statusOnError(), count);
        }
        if (!config.failOpen()) {
            response.setStatus(config.statusOnError());
        }
    }

    private static URI checkUri(String text, String what) {
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(what + " is not a valid URI: " + e.getMessage(), e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException(what + " must be an absolute http or https URL such as "
                    + "http://auth:9000/check, got \"" + text + "\"");
        }
        return uri;
    }

    /**
     * Stops the client's threads; the runner calls it once, after the calls in flight have drained.
     * On Java 21 and later the client itself is closed too ({@code HttpClient} is
     * {@code AutoCloseable} there), which ends its selector thread; on Java 17 that thread is a
     * daemon that ends with the client.
     */
    @Override
    public synchronized void close() {
        closed = true;
        HttpClient c = client;
        client = null;
        // The client first (its close waits for requests still running, which need the executor),
        // then the executor's threads.
        if (c instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                if (log != null) {
                    log.log(System.Logger.Level.WARNING, "closing the HTTP client: {0}", e.toString());
                }
            }
        }
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
