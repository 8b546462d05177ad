package io.github.a6sdk.api;

import java.nio.charset.StandardCharsets;

/**
 * The client request as APISIX describes it in an {@code HTTPReqCall}. Reads are decoded lazily;
 * changes become the call's {@code Rewrite} action (unless the plugin chain stops the request).
 */
public interface HttpRequest {

    /** APISIX's request id, for logging. Not unique over time. */
    long id();

    /** The request method, or {@code null} for a method APISIX cannot express. */
    Method method();

    /**
     * The path as nginx's {@code $uri} holds it: percent-decoded and normalized ({@code /a%20b/../c}
     * reads {@code /c}, {@code /a%20b} reads {@code /a b}), without the query; after
     * {@link #setPath}, the path set.
     */
    String path();

    /**
     * Rewrites the upstream path. Give it decoded, like {@link #path()}: APISIX percent-escapes it as
     * nginx escapes a URI ({@code "/a b"} reaches the upstream as {@code /a%20b}). A query cannot be
     * put here ({@code "/p?a=1"} arrives as {@code /p%3Fa=1}); change {@link #args()} instead.
     */
    void setPath(String path);

    /** The client address in text form ({@code 203.0.113.7}, {@code 2001:db8::1}), or {@code null}. */
    String sourceIp();

    /**
     * Request headers (names lower-cased by APISIX). Changes are sent as a rewrite; APISIX cannot
     * give a request header several values through a rewrite, so the values of a header that was
     * changed are joined with {@code ", "}.
     */
    Fields headers();

    /**
     * The token of an {@code Authorization: Bearer <token>} header (RFC 6750), or {@code null} when
     * the request has no {@code Authorization} header, one with another scheme, or no token. The
     * scheme matches ignoring case; spaces around the token are dropped. Only the first
     * {@code Authorization} header counts.
     *
     * @return the token, or {@code null}
     */
    default String bearerToken() {
        String value = headers().get("authorization");
        if (value == null || value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = value.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    /** Query args. Changes are sent as a rewrite; repeated values are kept. */
    Fields args();

    /**
     * Headers to add to the response the client finally gets, while the request goes on to the
     * upstream (APISIX ignores some names here, such as {@code content-type}).
     */
    Fields responseHeaders();

    /**
     * The value of an nginx/APISIX variable (without {@code $}), or {@code null} when it has none.
     * Declared variables ({@link ApisixPlugin#vars()}) are already here; others cost one round
     * trip to APISIX and are then cached for the rest of the call.
     */
    String var(String name);

    /** The request body, or {@code null} when the request has none. Fetched once per call. */
    byte[] body();

    /** {@link #body()} decoded as UTF-8, or {@code null}. */
    default String bodyAsString() {
        byte[] body = body();
        return body == null ? null : new String(body, StandardCharsets.UTF_8);
    }

    /** Replaces the request body sent upstream (APISIX 3.6 and later). It cannot be made empty. */
    void setBody(byte[] body);

    /** Replaces the request body with {@code body} encoded as UTF-8. */
    default void setBody(String body) {
        setBody(body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The values this request's plugins share across its phases (see {@link RequestState}).
     *
     * @throws IllegalStateException when the plugin does not declare
     *     {@link ApisixPlugin#requestState() @ApisixPlugin(requestState = true)}
     */
    default RequestState state() {
        throw new UnsupportedOperationException("this HttpRequest has no request state");
    }
}
