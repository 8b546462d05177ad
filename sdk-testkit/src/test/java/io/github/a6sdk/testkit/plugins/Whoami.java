package io.github.a6sdk.testkit.plugins;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.NoConfig;
import io.github.a6sdk.api.RequestFilter;

/** Answers with what it learnt from APISIX: declared vars, an undeclared var, the body and the request. */
@ApisixPlugin(name = "whoami", vars = {"remote_addr", "http_x_user"}, requestBody = true, blocking = false)
public final class Whoami implements RequestFilter<NoConfig> {
    @Override
    public void filter(NoConfig config, HttpRequest request, HttpResponse response) {
        response.setStatus(203);
        response.setBody("ip=" + request.var("remote_addr") + " user=" + request.var("http_x_user")
                + " tag=" + request.var("arg_tag") + " method=" + request.method() + " path=" + request.path()
                + " src=" + request.sourceIp() + " args=" + request.args().getAll("tag")
                + " body=" + request.bodyAsString());
    }
}
