package io.github.a6sdk.benchmarks.plugins;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.RequestFilter;

/** "sleep": block the calling thread for the configured time (a stand-in for blocking I/O), continue. */
@ApisixPlugin(name = "sleep")
public class Sleep implements RequestFilter<Sleep.Config> {
    /** {@code {"ms":200}}. */
    public record Config(long ms) {}

    @Override
    public void filter(Config config, HttpRequest request, HttpResponse response) throws InterruptedException {
        if (config.ms() > 0) {
            Thread.sleep(config.ms());
        }
    }
}
