package io.github.a6sdk.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class as an APISIX external plugin. The annotation processor in {@code sdk-processor}
 * checks the class at compile time and generates its descriptor, its config parser and the
 * registry that the runtime loads; nothing is looked up by reflection at run time.
 *
 * <p>The class must be public, concrete, top level or {@code static} nested, not generic, have a
 * public no-argument constructor, and implement {@link RequestFilter} and/or {@link ResponseFilter}
 * with a config type argument that is a {@code record} (or {@link NoConfig}, or {@code String} for
 * the raw config text). A plugin that holds resources builds them in a start hook
 * ({@link Startable}) and releases them in {@code close()} ({@link AutoCloseable}); the runner
 * calls both, once each.
 *
 * <pre>{@code
 * @ApisixPlugin(name = "say")
 * public final class Say implements RequestFilter<Say.Config> {
 *     public record Config(String body) {}
 *
 *     @Override
 *     public void filter(Config config, HttpRequest request, HttpResponse response) {
 *         response.setStatus(200);
 *         response.setHeader("X-Resp-A6-Runner", "Java");
 *         response.setBody(config.body());
 *     }
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface ApisixPlugin {

    /**
     * The name used in an APISIX route's {@code ext-plugin-*} {@code conf} entries. One to 128
     * characters: lowercase ASCII letters, digits, {@code '-'}, {@code '_'} and {@code '.'}, starting
     * with a letter. Unique across every plugin jar the runner loads.
     */
    String name();

    /**
     * nginx/APISIX variables (without {@code $}) that the runtime fetches before the plugin runs,
     * all in one pipelined round of ExtraInfo requests. A variable not declared here can still be
     * read with {@link HttpRequest#var(String)}; it then costs its own round trip, once per call.
     */
    String[] vars() default {};

    /** Fetch the request body ahead of the call, in the same round as {@link #vars()}. */
    boolean requestBody() default false;

    /** Fetch the upstream response body ahead of a response-phase call. */
    boolean responseBody() default false;

    /**
     * Whether the plugin may block: sleep, wait on I/O (an HTTP call, Redis, a database), take a
     * contended lock. Leave it out unless you want to say so: it changes only what the runner logs,
     * never where a call runs or how fast.
     *
     * <p>Every call starts on the thread that read it, with no hand-off. A call that holds that
     * thread too long (2 ms waiting, 20 ms running) is taken over: another thread serves the other
     * connections of that event loop, and the plugin's later calls run on worker threads (once it
     * has been caught waiting, or twice running), so a slow call holds up only itself. With the
     * default the runner logs that at INFO; with {@code blocking = false} (a plugin that only
     * computes on what the call carries) it logs a WARNING that asks to remove the attribute, as the
     * plugin did not do what it said.
     */
    boolean blocking() default true;

    /**
     * Whether the plugin uses {@link RequestState}: values shared by the plugins of one request
     * across its phases ({@link HttpRequest#state()}, {@link UpstreamResponse#state()}). A chain with
     * such a plugin asks APISIX for {@code $request_id} in the call's prefetch round (one more
     * variable, no extra round trip); a chain without one pays nothing. A plugin that calls
     * {@code state()} without declaring it fails its call, naming this setting.
     */
    boolean requestState() default false;
}
