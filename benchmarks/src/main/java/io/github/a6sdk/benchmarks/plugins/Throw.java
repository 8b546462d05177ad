package io.github.a6sdk.benchmarks.plugins;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.NoConfig;
import io.github.a6sdk.api.RequestFilter;

/** "throw": always throws (the runner's error path). */
@ApisixPlugin(name = "throw", blocking = false)
public class Throw implements RequestFilter<NoConfig> {
    @Override
    public void filter(NoConfig config, HttpRequest request, HttpResponse response) {
        throw new IllegalStateException("throw plugin: deliberate failure");
    }
}
