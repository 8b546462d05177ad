package io.github.a6sdk.benchmarks.plugins;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.RequestFilter;

/** "say": stop with 200, {@code X-Resp-A6-Runner: Java} and the configured body. */
@ApisixPlugin(name = "say", blocking = false)
public class Say implements RequestFilter<Say.Config> {
    /** {@code {"body":"hello"}}. */
    public record Config(String body) {}

    @Override
    public void filter(Config config, HttpRequest request, HttpResponse response) {
        response.setStatus(200);
        response.setHeader("X-Resp-A6-Runner", "Java");
        response.setBody(config.body() == null ? "" : config.body());
    }
}
