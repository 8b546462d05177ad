package io.github.a6sdk.testkit.plugins;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.NoConfig;
import io.github.a6sdk.api.RequestFilter;
import io.github.a6sdk.api.ResponseFilter;
import io.github.a6sdk.api.StateKey;
import io.github.a6sdk.api.UpstreamResponse;

/** Carries the request's {@code x-stamp} header from the request phase to the response (request state). */
@ApisixPlugin(name = "stamp", requestState = true, blocking = false)
public final class Stamp implements RequestFilter<NoConfig>, ResponseFilter<NoConfig> {
    public static final StateKey<String> STAMP = StateKey.of("stamp", String.class);

    @Override
    public void filter(NoConfig config, HttpRequest request, HttpResponse response) {
        String stamp = request.headers().get("x-stamp");
        if (stamp != null) {
            request.state().put(STAMP, stamp);
        }
    }

    @Override
    public void filter(NoConfig config, UpstreamResponse response) {
        response.headers().set("x-stamp", response.state().get(STAMP).orElse("none"));
    }
}
