package io.github.a6sdk.testkit.plugins;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.RequestFilter;

/** Takes its config as raw text and passes it on as a request header. */
@ApisixPlugin(name = "raw")
public final class Raw implements RequestFilter<String> {
    @Override
    public void filter(String config, HttpRequest request, HttpResponse response) {
        request.headers().set("x-raw-config", config);
    }
}
