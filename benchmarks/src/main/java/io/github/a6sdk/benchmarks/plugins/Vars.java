package io.github.a6sdk.benchmarks.plugins;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.NoConfig;
import io.github.a6sdk.api.RequestFilter;

/** "vars": reads var remote_addr and the request body (declared for prefetch), stops 200 "addr:len". */
@ApisixPlugin(name = "vars", vars = {"remote_addr"}, requestBody = true, blocking = false)
public class Vars implements RequestFilter<NoConfig> {
    @Override
    public void filter(NoConfig config, HttpRequest request, HttpResponse response) {
        String addr = request.var("remote_addr");
        byte[] body = request.body();
        response.setStatus(200);
        response.setBody(addr + ":" + (body == null ? 0 : body.length));
    }
}
