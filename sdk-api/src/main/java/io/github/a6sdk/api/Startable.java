package io.github.a6sdk.api;

/**
 * A plugin's start hook: the runner calls {@link #start} once, before it binds the socket, so a
 * plugin can read its settings and build what it shares between calls (an HTTP client, a pool).
 * An exception stops the runner's start with one line naming the plugin and the cause, and a
 * non-zero exit status, so a missing setting shows in APISIX's error.log instead of as failed
 * requests later.
 *
 * <p>Pair it with {@link AutoCloseable}: the runner closes such a plugin once, after the calls in
 * flight have drained on SIGTERM. One plugin instance serves every route and connection at once, so
 * what {@code start} builds must be safe to use from many threads.
 *
 * <pre>{@code
 * @ApisixPlugin(name = "introspect")
 * public final class Introspect implements RequestFilter<Introspect.Config>, Startable, AutoCloseable {
 *     private HttpClient client;
 *
 *     @Override
 *     public void start(PluginContext context) {
 *         client = HttpClient.newBuilder()
 *                 .connectTimeout(Duration.ofMillis(context.intSetting("connect-timeout-ms", 1000, 1, 60_000)))
 *                 .build();
 *     }
 *
 *     @Override
 *     public void close() { ... }
 * }
 * }</pre>
 */
@FunctionalInterface
public interface Startable {

    /**
     * Called once before the runner serves any call, on one thread; what it writes to the plugin's
     * fields is visible to every call that follows.
     *
     * @throws Exception to stop the runner's start; the message should say what to fix
     */
    void start(PluginContext context) throws Exception;
}
