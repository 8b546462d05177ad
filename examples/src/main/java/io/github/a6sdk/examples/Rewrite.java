package io.github.a6sdk.examples;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.RequestFilter;
import java.util.List;
import java.util.Map;

/**
 * Rewrites the request and lets it go on to the upstream: a new path, headers set and removed,
 * query args added. Route config:
 * {@code {"path":"/anything","setHeaders":{"X-Tenant":"blue"},"removeHeaders":["cookie"],"addArgs":{"source":"apisix"}}}.
 */
@ApisixPlugin(name = "rewrite")
public final class Rewrite implements RequestFilter<Rewrite.Config> {

    /**
     * @param path the new upstream path, or null to keep it
     * @param setHeaders request headers to set (replacing any value)
     * @param removeHeaders request headers to remove
     * @param addArgs query args to add (after any existing values)
     */
    public record Config(String path, Map<String, String> setHeaders, List<String> removeHeaders,
                         Map<String, String> addArgs) {
        public Config {
            if (path != null && !path.startsWith("/")) {
                throw new IllegalArgumentException("path must start with '/', got \"" + path + "\"");
            }
            setHeaders = setHeaders == null ? Map.of() : setHeaders;
            removeHeaders = removeHeaders == null ? List.of() : removeHeaders;
            addArgs = addArgs == null ? Map.of() : addArgs;
        }
    }

    @Override
    public void filter(Config config, HttpRequest request, HttpResponse response) {
        if (config.path() != null) {
            request.setPath(config.path());
        }
        config.setHeaders().forEach(request.headers()::set);
        config.removeHeaders().forEach(request.headers()::remove);
        config.addArgs().forEach(request.args()::add);
    }
}
