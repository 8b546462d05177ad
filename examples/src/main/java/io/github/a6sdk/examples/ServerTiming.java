package io.github.a6sdk.examples;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.NoConfig;
import io.github.a6sdk.api.RequestFilter;
import io.github.a6sdk.api.ResponseFilter;
import io.github.a6sdk.api.StateKey;
import io.github.a6sdk.api.UpstreamResponse;
import java.util.Locale;

/**
 * Request state across phases: configured in {@code ext-plugin-pre-req} it notes when the request
 * reached the runner; configured in {@code ext-plugin-post-resp} of the same route it adds
 * {@code Server-Timing: a6;dur=<milliseconds between the two calls>} to the response (the upstream's
 * own {@code Server-Timing} entries are kept). The value never leaves the runner: no header carries
 * it to the upstream. A response whose request has no noted time (the pre-req entry is missing, or
 * the runner was restarted in between) gets no header.
 */
@ApisixPlugin(name = "server-timing", requestState = true)
public final class ServerTiming implements RequestFilter<NoConfig>, ResponseFilter<NoConfig> {
    /** When the request phase ran, from {@link System#nanoTime()}. */
    static final StateKey<Long> STARTED = StateKey.of("server-timing.started", Long.class);

    @Override
    public void filter(NoConfig config, HttpRequest request, HttpResponse response) {
        request.state().put(STARTED, System.nanoTime());
    }

    @Override
    public void filter(NoConfig config, UpstreamResponse response) {
        response.state().get(STARTED).ifPresent(started -> response.headers().add("Server-Timing",
                String.format(Locale.ROOT, "a6;dur=%.1f", (System.nanoTime() - started) / 1e6)));
    }
}
