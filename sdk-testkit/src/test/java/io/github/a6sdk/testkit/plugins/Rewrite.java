package io.github.a6sdk.testkit.plugins;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.RequestFilter;
import java.util.List;
import java.util.Map;

/** Rewrites whatever its config names. */
@ApisixPlugin(name = "rewrite")
public final class Rewrite implements RequestFilter<Rewrite.Config> {
    public record Config(String path, Map<String, String> setHeaders, Map<String, String> addHeaders,
            List<String> removeHeaders, Map<String, String> setArgs, Map<String, String> addArgs, List<String> removeArgs,
            Map<String, String> responseHeaders, String body) {}

    @Override
    public void filter(Config c, HttpRequest request, HttpResponse response) {
        if (c.path() != null) {
            request.setPath(c.path());
        }
        if (c.setHeaders() != null) {
            c.setHeaders().forEach(request.headers()::set);
        }
        if (c.addHeaders() != null) {
            c.addHeaders().forEach(request.headers()::add);
        }
        if (c.removeHeaders() != null) {
            c.removeHeaders().forEach(request.headers()::remove);
        }
        if (c.setArgs() != null) {
            c.setArgs().forEach(request.args()::set);
        }
        if (c.addArgs() != null) {
            c.addArgs().forEach(request.args()::add);
        }
        if (c.removeArgs() != null) {
            c.removeArgs().forEach(request.args()::remove);
        }
        if (c.responseHeaders() != null) {
            c.responseHeaders().forEach(request.responseHeaders()::set);
        }
        if (c.body() != null) {
            request.setBody(c.body());
        }
    }
}
