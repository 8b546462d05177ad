package io.github.a6sdk.examples;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.ResponseFilter;
import io.github.a6sdk.api.UpstreamResponse;

/**
 * Runs in {@code ext-plugin-post-resp}: adds a header to the upstream response and replaces text in
 * its body. The upstream body is declared, so it arrives with the call. Route config:
 * {@code {"header":"X-Filtered","value":"yes","find":"secret","replace":"******"}}.
 */
@ApisixPlugin(name = "response-rewrite", responseBody = true)
public final class ResponseRewrite implements ResponseFilter<ResponseRewrite.Config> {

    public record Config(String header, String value, String find, String replace) {
        public Config {
            if (find != null && find.isEmpty()) {
                throw new IllegalArgumentException("find must not be empty");
            }
            if (find != null && replace == null) {
                throw new IllegalArgumentException("replace is required with find");
            }
        }
    }

    @Override
    public void filter(Config config, UpstreamResponse response) {
        if (config.header() != null) {
            response.headers().set(config.header(), config.value() == null ? "" : config.value());
        }
        if (config.find() != null) {
            String body = response.bodyAsString();
            if (body != null && body.contains(config.find())) {
                response.setBody(body.replace(config.find(), config.replace()));
            }
        }
    }
}
