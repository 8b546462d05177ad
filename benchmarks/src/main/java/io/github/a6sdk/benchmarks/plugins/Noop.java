package io.github.a6sdk.benchmarks.plugins;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.NoConfig;
import io.github.a6sdk.api.RequestFilter;

/** "noop": continue untouched. */
@ApisixPlugin(name = "noop", blocking = false)
public class Noop implements RequestFilter<NoConfig> {
    @Override
    public void filter(NoConfig config, HttpRequest request, HttpResponse response) {
        // nothing to do
    }
}
