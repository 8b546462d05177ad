package io.github.a6sdk.testkit.plugins;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.ResponseFilter;
import io.github.a6sdk.api.UpstreamResponse;

/** Response phase: upper-cases the upstream body, tags the response and may change the status. */
@ApisixPlugin(name = "shout", responseBody = true)
public final class Shout implements ResponseFilter<Shout.Config> {
    public record Config(int status, String tag) {}

    @Override
    public void filter(Config config, UpstreamResponse response) {
        String body = response.bodyAsString();
        response.setBody(body == null ? "NOTHING" : body.toUpperCase(java.util.Locale.ROOT));
        if (config.status() != 0) {
            response.setStatus(config.status());
        }
        if (config.tag() != null) {
            response.headers().set("X-Shout", config.tag());
        }
    }
}
