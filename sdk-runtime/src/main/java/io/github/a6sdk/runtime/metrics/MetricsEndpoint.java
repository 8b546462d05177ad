package io.github.a6sdk.runtime.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The HTTP side: the JDK's own {@link HttpServer} on one daemon thread of its own ("a6-metrics"),
 * never on a connection's thread. {@code GET /metrics} answers the text exposition format,
 * {@code GET /healthz} 200 while the runner accepts connections and 503 while it drains.
 */
final class MetricsEndpoint implements AutoCloseable {
    static final String VARIABLE = "A6_METRICS_ADDRESS";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Parses {@code host:port} ({@code [v6]:port}; an empty host means every interface; port 0 picks a free one).
     *
     * @throws IllegalArgumentException naming {@value #VARIABLE} and the value
     */
    static InetSocketAddress parse(String value) {
        String v = value.trim();
        int colon = v.lastIndexOf(':');
        String usage = VARIABLE + " must be host:port, for example 127.0.0.1:9464, got \"" + value + "\"";
        if (colon < 0 || colon == v.length() - 1) {
            throw new IllegalArgumentException(usage);
        }
        String host = v.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(usage, e);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(VARIABLE + ": port must be between 0 and 65535, got \"" + value + "\"");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            return new InetSocketAddress(port);
        }
        if (host.indexOf(':') >= 0 && !v.startsWith("[")) {
            throw new IllegalArgumentException(usage + " (write an IPv6 address in brackets: [::1]:9464)");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(VARIABLE + ": unknown host \"" + host + "\" in \"" + value + "\"", e);
        }
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException when the address cannot be bound (in use, not local, not permitted)
     */
    static MetricsEndpoint start(InetSocketAddress address, Supplier<String> metrics, BooleanSupplier accepting)
            throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "a6-metrics");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                String method = exchange.getRequestMethod();
                String path = exchange.getRequestURI().getPath();
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    reply(exchange, 405, "text/plain; charset=utf-8", "use GET\n");
                } else if (path.equals("/metrics")) {
                    reply(exchange, 200, TextFormat.CONTENT_TYPE, metrics.get());
                } else if (path.equals("/healthz")) {
                    boolean ok = accepting.getAsBoolean();
                    reply(exchange, ok ? 200 : 503, "text/plain; charset=utf-8", ok ? "ok\n" : "draining\n");
                } else {
                    reply(exchange, 404, "text/plain; charset=utf-8", "not found: try /metrics or /healthz\n");
                }
            }
        });
        server.start();
        return new MetricsEndpoint(server, executor);
    }

    private static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Where it listens (the real port when 0 was asked for). */
    InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
