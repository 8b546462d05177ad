package io.github.a6sdk.api;

import java.nio.charset.StandardCharsets;

/**
 * The response with which a request-phase plugin stops the request. Writing anything to it (status,
 * a header or the body) ends the plugin chain after the current plugin, and APISIX answers the
 * client with it instead of proxying.
 */
public interface HttpResponse {

    /** Sets the status; 0 or unset means 200 to APISIX. */
    void setStatus(int status);

    /** The status set so far, or 0. */
    int status();

    /** Response headers. Repeated names give a multi-value header. */
    Fields headers();

    /** Replaces every value of a header. */
    default void setHeader(String name, String value) {
        headers().set(name, value);
    }

    /** Adds a value to a header. */
    default void addHeader(String name, String value) {
        headers().add(name, value);
    }

    /** Sets the body. */
    void setBody(byte[] body);

    /** Sets the body encoded as UTF-8. */
    default void setBody(String body) {
        setBody(body.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether a plugin wrote to this response, so that the request will be stopped. */
    boolean isStopped();
}
