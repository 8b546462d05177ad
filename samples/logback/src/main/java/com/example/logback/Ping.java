package com.example.logback;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.NoConfig;
import io.github.a6sdk.api.RequestFilter;

/** The project's plugin (a runner without any refuses to start); the point of this sample is its logging. */
@ApisixPlugin(name = "ping")
public final class Ping implements RequestFilter<NoConfig> {
    @Override
    public void filter(NoConfig config, HttpRequest request, HttpResponse response) {
        response.setBody("pong");
    }
}
