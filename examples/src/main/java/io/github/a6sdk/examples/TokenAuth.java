package io.github.a6sdk.examples;

import io.github.a6sdk.api.ApisixPlugin;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.RequestFilter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Lets a request through only when a header carries one of the configured tokens; otherwise stops
 * it with 401 and a JSON error. Route config: {@code {"header":"x-api-key","tokens":["s3cret"]}}.
 */
@ApisixPlugin(name = "token-auth")
public final class TokenAuth implements RequestFilter<TokenAuth.Config> {

    /**
     * @param header the request header that carries the token (APISIX sends names lower-cased)
     * @param tokens the accepted tokens; at least one
     */
    public record Config(String header, List<String> tokens) {
        public Config {
            if (header == null || header.isBlank()) {
                throw new IllegalArgumentException("header is required, e.g. \"x-api-key\"");
            }
            if (tokens == null || tokens.isEmpty()) {
                throw new IllegalArgumentException("tokens must list at least one accepted token");
            }
        }
    }

    @Override
    public void filter(Config config, HttpRequest request, HttpResponse response) {
        String presented = request.headers().get(config.header());
        if (presented != null && accepted(config.tokens(), presented)) {
            return;
        }
        response.setHeader("WWW-Authenticate", "ApiKey header=\"" + config.header() + "\"");
        response.sendJsonError(401, "unauthorized", (presented == null ? "missing " : "invalid ") + config.header());
    }

    /** Compares in constant time, so the answer's timing does not leak how much of a token matched. */
    private static boolean accepted(List<String> tokens, String presented) {
        byte[] given = presented.getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (String token : tokens) {
            ok |= MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), given);
        }
        return ok;
    }
}
