package io.github.a6sdk.api;

import java.util.Optional;

/**
 * Values that the plugins of one request share across its phases: put in {@code ext-plugin-pre-req},
 * read again in {@code ext-plugin-post-req} or {@code ext-plugin-post-resp} of the same request.
 * Reached through {@link HttpRequest#state()} and {@link UpstreamResponse#state()} by a plugin that
 * declares {@link ApisixPlugin#requestState() @ApisixPlugin(requestState = true)}.
 *
 * <pre>{@code
 * @ApisixPlugin(name = "server-timing", requestState = true)
 * public final class ServerTiming implements RequestFilter<NoConfig>, ResponseFilter<NoConfig> {
 *     static final StateKey<Long> STARTED = StateKey.of("started", Long.class);
 *
 *     public void filter(NoConfig c, HttpRequest request, HttpResponse response) {
 *         request.state().put(STARTED, System.nanoTime());
 *     }
 *
 *     public void filter(NoConfig c, UpstreamResponse response) {
 *         response.state().get(STARTED).ifPresent(t -> response.headers().set("Server-Timing",
 *                 "a6;dur=" + (System.nanoTime() - t) / 1_000_000));
 *     }
 * }
 * }</pre>
 *
 * <p><b>Plain objects.</b> Values stay in the runner's memory as they were put: nothing is
 * serialized, and nothing reaches APISIX, the upstream or the client. A value is shared with the
 * request's later phases, which may run on other threads, so put values that you no longer change
 * (immutable ones are best).
 *
 * <p><b>Which request.</b> The runner keys the values by nginx's {@code $request_id}, which it asks
 * APISIX for in the call's existing prefetch round, and only for chains with a plugin that declares
 * request state.
 *
 * <p><b>How long.</b> A request's values end with its {@code ext-plugin-post-resp} call (the last
 * phase of a request), when that call's chain uses request state, and when a plugin stops the
 * request (the client has its answer: no later phase runs). A request whose values are all removed
 * is forgotten at the end of the call. Otherwise they end after a time-to-live
 * ({@code A6_REQUEST_STATE_TTL_SECONDS}, 120 s by default: twice APISIX's 60 s timeout), and the
 * runner keeps at most {@code A6_REQUEST_STATE_MAX_ENTRIES} requests' values (the oldest go first).
 * A value that has ended, or that no earlier phase put, reads as empty: never an error.
 *
 * <p>One request's phases run one after the other, so a request's state is never used by two calls
 * at once; its methods are nevertheless safe to call from any thread.
 */
public interface RequestState {

    /** The value of {@code key}, or empty when this request has none. */
    <T> Optional<T> get(StateKey<T> key);

    /** Sets the value of {@code key} for this request and its later phases; {@code value} must not be null. */
    <T> void put(StateKey<T> key, T value);

    /** Removes the value of {@code key}; returns it, or empty when there was none. */
    <T> Optional<T> remove(StateKey<T> key);

    /** Whether this request has a value for {@code key}. */
    default boolean contains(StateKey<?> key) {
        return get(key).isPresent();
    }
}
