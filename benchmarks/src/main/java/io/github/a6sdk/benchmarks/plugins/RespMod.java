package io.github.a6sdk.benchmarks.plugins;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.ResponseFilter;
import io.github.a6sdk.api.UpstreamResponse;

/** "respmod" (ext-plugin-post-resp): set the configured response header, status 299. */
@ApisixPlugin(name = "respmod", blocking = false)
public class RespMod implements ResponseFilter<RespMod.Config> {
    /** {@code {"header_name":"X-B","header_value":"2"}}. */
    public record Config(String header_name, String header_value) {}

    @Override
    public void filter(Config config, UpstreamResponse response) {
        if (config.header_name() != null && !config.header_name().isEmpty()) {
            response.headers().set(config.header_name(), config.header_value());
        }
        response.setStatus(299);
    }
}
