package io.github.a6sdk.testkit.plugins;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.RequestFilter;

/** Stops every request with a fixed body. */
@ApisixPlugin(name = "say", blocking = false)
public final class Say implements RequestFilter<Say.Config> {
    public record Config(String body, Integer status) {
        public Config {
            if (status != null && (status < 100 || status > 599)) {
                throw new IllegalArgumentException("status must be 100 to 599, got " + status);
            }
        }
    }

    @Override
    public void filter(Config config, HttpRequest request, HttpResponse response) {
        if (config.status() != null) {
            response.setStatus(config.status());
        }
        response.setHeader("X-Resp-A6-Runner", "Java");
        response.addHeader("X-Same", "one");
        response.addHeader("X-Same", "two");
        response.setBody(config.body() == null ? "" : config.body());
    }
}
