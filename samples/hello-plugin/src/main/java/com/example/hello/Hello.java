package com.example.hello;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.RequestFilter;

/** Answers {@code Hello, <name>!} for requests whose path starts with the configured prefix. */
@ApisixPlugin(name = "hello")
public final class Hello implements RequestFilter<Hello.Config> {

    public record Config(String name, String prefix) {
        public Config {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name is required");
            }
            prefix = prefix == null ? "/" : prefix;
        }
    }

    @Override
    public void filter(Config config, HttpRequest request, HttpResponse response) {
        if (request.path().startsWith(config.prefix())) {
            response.setStatus(200);
            response.setHeader("Content-Type", "text/plain");
            response.setBody("Hello, " + config.name() + "!");
        }
    }
}
