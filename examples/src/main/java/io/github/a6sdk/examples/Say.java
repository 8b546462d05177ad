package io.github.a6sdk.examples;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.RequestFilter;

/**
 * The plugin of APISIX's Go-runner article: answers the request itself with the configured body.
 * Route config: {@code {"body":"hello"}}.
 */
@ApisixPlugin(name = "say")
public final class Say implements RequestFilter<Say.Config> {

    /** @param body what the client gets */
    public record Config(String body) {}

    @Override
    public void filter(Config config, HttpRequest request, HttpResponse response) {
        response.setStatus(200);
        response.setHeader("X-Resp-A6-Runner", "Java");
        response.setBody(config.body() == null ? "" : config.body());
    }
}
