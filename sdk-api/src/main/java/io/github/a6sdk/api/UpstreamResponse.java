package io.github.a6sdk.api;

import java.nio.charset.StandardCharsets;

/**
 * The upstream response in APISIX's {@code ext-plugin-post-resp} phase. Changes reach the client.
 *
 * <p>When a plugin changes any header, the runtime sends APISIX the whole header set, because
 * APISIX drops every upstream header as soon as the reply names one.
 */
public interface UpstreamResponse {

    /** APISIX's request id, for logging. */
    long id();

    /** The status the client will get: the upstream status unless a plugin changed it. */
    int status();

    /** Changes the status the client gets. */
    void setStatus(int status);

    /** The upstream response headers, names in the case upstream sent them; matched ignoring case. */
    Fields headers();

    /** The upstream body (fetched once, on first use or ahead when declared), or {@code null}. */
    byte[] body();

    /** {@link #body()} decoded as UTF-8, or {@code null}. */
    default String bodyAsString() {
        byte[] body = body();
        return body == null ? null : new String(body, StandardCharsets.UTF_8);
    }

    /** Replaces the body the client gets. An empty body keeps the upstream one. */
    void setBody(byte[] body);

    /** Replaces the body with {@code body} encoded as UTF-8. */
    default void setBody(String body) {
        setBody(body.getBytes(StandardCharsets.UTF_8));
    }

    /** The value of an nginx/APISIX variable of the request, or {@code null}. */
    String var(String name);

    /** The client request body, or {@code null}. */
    byte[] requestBody();

    /**
     * The values this request's plugins put in its earlier phases (see {@link RequestState}); empty
     * when they put none, or when the values have ended.
     *
     * @throws IllegalStateException when the plugin does not declare
     *     {@link ApisixPlugin#requestState() @ApisixPlugin(requestState = true)}
     */
    default RequestState state() {
        throw new UnsupportedOperationException("this UpstreamResponse has no request state");
    }
}
