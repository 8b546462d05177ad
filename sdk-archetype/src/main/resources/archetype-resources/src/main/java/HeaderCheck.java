package ${package};

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.RequestFilter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Lets a request through only when a header carries one of the configured API keys: it then tells
 * the upstream who called (in {@code consumerHeader}) and drops the key. Otherwise it stops the
 * request with 401 and a JSON error.
 *
 * <p>Route config: {@code {"header":"x-api-key","keys":{"s3cret":"alice"},"consumerHeader":"x-consumer"}}.
 */
@ApisixPlugin(name = "header-check")
public final class HeaderCheck implements RequestFilter<HeaderCheck.Config> {
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");

    /**
     * The config, parsed and checked once per route config (not per request).
     *
     * @param header the request header that carries the key
     * @param keys each accepted key, with the name of the consumer it belongs to; at least one
     * @param consumerHeader the request header the upstream finds the consumer in; {@code x-consumer} when left out
     */
    public record Config(String header, Map<String, String> keys, String consumerHeader) {
        public Config {
            requireHeaderName("header", header);
            if (keys == null || keys.isEmpty()) {
                throw new IllegalArgumentException("keys must map at least one key to its consumer, e.g. {\"s3cret\":\"alice\"}");
            }
            for (Map.Entry<String, String> e : keys.entrySet()) {
                if (e.getKey().isEmpty() || e.getValue() == null || e.getValue().isBlank()) {
                    throw new IllegalArgumentException("keys: each key must be non-empty and name its consumer");
                }
            }
            keys = Map.copyOf(keys);
            consumerHeader = consumerHeader == null ? "x-consumer" : consumerHeader;
            requireHeaderName("consumerHeader", consumerHeader);
        }

        /** Keeps the keys out of logs and of {@code validate}'s output. */
        @Override
        public String toString() {
            return "Config[header=" + header + ", keys=(" + keys.size() + " hidden), consumerHeader=" + consumerHeader + "]";
        }

        private static void requireHeaderName(String field, String value) {
            if (value == null || !HEADER_NAME.matcher(value).matches()) {
                throw new IllegalArgumentException(field + " must be a header name such as \"x-api-key\", got "
                        + (value == null ? "nothing" : "\"" + value + "\""));
            }
        }
    }

    @Override
    public void filter(Config config, HttpRequest request, HttpResponse response) {
        String presented = request.headers().get(config.header());
        String consumer = presented == null ? null : consumerOf(config.keys(), presented);
        if (consumer != null) {
            request.headers().remove(config.header());
            request.headers().set(config.consumerHeader(), consumer);
            return;
        }
        // {"error":"unauthorized","message":"missing x-api-key"}, with Content-Type: application/json
        response.sendJsonError(401, "unauthorized", (presented == null ? "missing " : "unknown key in ") + config.header());
    }

    /** The consumer of {@code presented}, compared in constant time so timing does not tell how much of a key matched. */
    private static String consumerOf(Map<String, String> keys, String presented) {
        byte[] given = presented.getBytes(StandardCharsets.UTF_8);
        String found = null;
        for (Map.Entry<String, String> e : keys.entrySet()) {
            if (MessageDigest.isEqual(e.getKey().getBytes(StandardCharsets.UTF_8), given)) {
                found = e.getValue();
            }
        }
        return found;
    }
}
