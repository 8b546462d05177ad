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

    /** The path, decoded and normalized by nginx, without the query; reflects {@link #setPath}. */
    String path();

    /** Rewrites the upstream path. A query cannot be put here; change {@link #args()} instead. */
    void setPath(String path);

    /** The client address in text form ({@code 203.0.113.7}, {@code 2001:db8::1}), or {@code null}. */
    String sourceIp();

    /**
     * Request headers (names lower-cased by APISIX). Changes are sent as a rewrite; APISIX cannot
     * give a request header several values through a rewrite, so the values of a header that was
     * changed are joined with {@code ", "}.
     */
    Fields headers();

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
