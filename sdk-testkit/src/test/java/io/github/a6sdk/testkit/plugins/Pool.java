package io.github.a6sdk.testkit.plugins;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.NoConfig;
import io.github.a6sdk.api.PluginContext;
import io.github.a6sdk.api.RequestFilter;
import io.github.a6sdk.api.Startable;
import java.util.concurrent.atomic.AtomicInteger;

/** Holds a "pool" sized by setting {@code size} (A6_PLUGIN_POOL_SIZE, 1 to 100); answers with its lifecycle so far. */
@ApisixPlugin(name = "pool")
public final class Pool implements RequestFilter<NoConfig>, Startable, AutoCloseable {
    private final AtomicInteger starts = new AtomicInteger();
    private final AtomicInteger closes = new AtomicInteger();
    private volatile int size;

    @Override
    public void start(PluginContext context) {
        starts.incrementAndGet();
        size = context.intSetting("size", 1, 1, 100);
    }

    @Override
    public void filter(NoConfig config, HttpRequest request, HttpResponse response) {
        response.setStatus(200);
        response.setBody("size " + size + ", starts " + starts + ", closes " + closes);
    }

    @Override
    public void close() {
        closes.incrementAndGet();
    }
}
