package io.github.a6sdk.api;

import io.github.a6sdk.api.spi.JsonStrings;
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

    /**
     * Stops the request with a JSON body: sets the status, {@code Content-Type: application/json}
     * and the body.
     *
     * @param status the HTTP status, such as 400
     * @param json the body, JSON text the caller has built (it is sent as it is, UTF-8 encoded)
     */
    default void sendJson(int status, String json) {
        setStatus(status);
        setHeader("Content-Type", "application/json");
        setBody(json);
    }

    /**
     * Stops the request with a JSON error, {@code {"error":"unauthorized","message":"missing x-api-key"}}:
     * both strings are escaped as JSON requires, so a message may quote what the client sent.
     *
     * @param status the HTTP status, such as 401
     * @param error a short, stable error code for programs
     * @param message what went wrong, for people; {@code null} leaves the field out
     */
    default void sendJsonError(int status, String error, String message) {
        sendJson(status, "{\"error\":" + JsonStrings.quote(error)
                + (message == null ? "" : ",\"message\":" + JsonStrings.quote(message)) + "}");
    }

    /** Whether a plugin wrote to this response, so that the request will be stopped. */
    boolean isStopped();
}
