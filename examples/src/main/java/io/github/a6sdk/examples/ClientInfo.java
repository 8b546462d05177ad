package io.github.a6sdk.examples;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.NoConfig;
import io.github.a6sdk.api.RequestFilter;

/**
 * Reads data APISIX does not send with the call, through ExtraInfo: {@code remote_addr} is declared
 * in the annotation, so it arrives before the plugin runs; the request body is read lazily, only
 * for requests that have a content type, and cached for the rest of the call. Passes both to the
 * upstream as headers. No config: {@code ""} or {@code {}}.
 */
@ApisixPlugin(name = "client-info", vars = {"remote_addr"})
public final class ClientInfo implements RequestFilter<NoConfig> {

    @Override
    public void filter(NoConfig config, HttpRequest request, HttpResponse response) {
        String addr = request.var("remote_addr");
        request.headers().set("X-Client-Addr", addr == null ? "unknown" : addr);
        if (request.headers().contains("content-type")) {
            byte[] body = request.body();
            request.headers().set("X-Body-Length", String.valueOf(body == null ? 0 : body.length));
        }
    }
}
