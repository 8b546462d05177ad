package io.github.a6sdk.testkit.plugins;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.RequestFilter;
import java.util.List;
import java.util.Map;

/** Every supported config type, for the schema tests. */
@ApisixPlugin(name = "kitchen")
public final class Kitchen implements RequestFilter<Kitchen.Config> {
    public enum Mode { FAST, SAFE }

    public record Limit(String key, int rate, Double burst) {
        public Limit {
            if (rate < 0) {
                throw new IllegalArgumentException("rate must not be negative");
            }
        }
    }

    public record Config(String name, boolean enabled, Boolean flag, int count, Integer maybeCount, long big, Long maybeBig,
            double ratio, Double maybeRatio, Mode mode, List<String> tags, Map<String, Integer> weights, Limit limit,
            List<Limit> limits, Map<String, List<Mode>> modes) {}

    @Override
    public void filter(Config config, HttpRequest request, HttpResponse response) {
        request.headers().set("x-kitchen", config.name());
    }
}
