package io.github.a6sdk.examples;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real auth service on a local port (the JDK's HttpServer), for forward-auth's tests.
 *
 * <ul>
 *   <li>{@code /allow}: 200, {@code X-User-ID: alice}, {@code X-Internal: secret};
 *   <li>{@code /deny}: 401, {@code WWW-Authenticate: Bearer}, {@code X-Internal: secret}, body "bad token";
 *   <li>{@code /slow}: waits 3 s, then 200 with {@code X-User-ID: late}.
 * </ul>
 * Each request's headers are kept in {@link #seen}.
 */
final class AuthService implements AutoCloseable {
    final List<Headers> seen = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();

    AuthService() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/allow", e -> answer(e, 200, "", "X-User-ID", "alice", "X-Internal", "secret"));
        server.createContext("/deny", e -> answer(e, 401, "bad token", "WWW-Authenticate", "Bearer",
                "X-Internal", "secret"));
        server.createContext("/slow", e -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            answer(e, 200, "", "X-User-ID", "late");
        });
        server.setExecutor(executor);
        server.start();
    }

    private void answer(HttpExchange exchange, int status, String body, String... headers) throws IOException {
        seen.add(exchange.getRequestHeaders());
        for (int i = 0; i < headers.length; i += 2) {
            exchange.getResponseHeaders().add(headers[i], headers[i + 1]);
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** A URL on a local port where nothing listens: a service that is down. */
    static String downUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/check";
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
