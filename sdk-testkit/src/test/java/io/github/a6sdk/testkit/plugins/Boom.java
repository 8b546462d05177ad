package io.github.a6sdk.testkit.plugins;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.NoConfig;
import io.github.a6sdk.api.RequestFilter;
import io.github.a6sdk.api.ResponseFilter;
import io.github.a6sdk.api.UpstreamResponse;

/** Throws in both phases. */
@ApisixPlugin(name = "boom")
public final class Boom implements RequestFilter<NoConfig>, ResponseFilter<NoConfig> {
    @Override
    public void filter(NoConfig config, HttpRequest request, HttpResponse response) {
        throw new IllegalStateException("boom in the request phase");
    }

    @Override
    public void filter(NoConfig config, UpstreamResponse response) {
        throw new IllegalStateException("boom in the response phase");
    }
}
