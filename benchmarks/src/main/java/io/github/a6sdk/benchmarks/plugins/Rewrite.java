package io.github.a6sdk.benchmarks.plugins;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.RequestFilter;

/** "rewrite": rewrite the path and set one request header, continue. */
@ApisixPlugin(name = "rewrite", blocking = false)
public class Rewrite implements RequestFilter<Rewrite.Config> {
    /** {@code {"path":"/x","header_name":"X-A","header_value":"1"}}. */
    public record Config(String path, String header_name, String header_value) {}

    @Override
    public void filter(Config config, HttpRequest request, HttpResponse response) {
        if (config.path() != null && !config.path().isEmpty()) {
            request.setPath(config.path());
        }
        if (config.header_name() != null && !config.header_name().isEmpty()) {
            request.headers().set(config.header_name(), config.header_value());
        }
    }
}
