package io.github.a6sdk.testkit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An upstream response as APISIX hands it to {@code ext-plugin-post-resp}: status and headers (names
 * in the case upstream sent them, repeated names kept), the body APISIX answers a RespBody question
 * with, and what it answers about the request (variables, request body).
 *
 * <pre>{@code
 * TestUpstream.status(200).header("Content-Type", "application/json").body("{\"ok\":true}")
 * }</pre>
 */
public final class TestUpstream {
    long id = 1;
    int status;
    final List<Field> headers = new ArrayList<>();
    byte[] body;
    TestRequest request;
    final Map<String, String> vars = new LinkedHashMap<>();
    byte[] requestBody;

    private TestUpstream(int status) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status must be 100 to 999: " + status);
        }
        this.status = status;
    }

    /**
     * An upstream response with {@code status}.
     *
     * @param status 100 to 999
     * @return the response
     */
    public static TestUpstream status(int status) {
        return new TestUpstream(status);
    }

    /** 200 OK. */
    public static TestUpstream ok() {
        return new TestUpstream(200);
    }

    /**
     * APISIX's request id.
     *
     * @param id the id
     * @return this response
     */
    public TestUpstream id(long id) {
        this.id = id;
        return this;
    }

    /** Adds a header; call again with the same name for a repeated header. */
    public TestUpstream header(String name, String value) {
        headers.add(new Field(name, value));
        return this;
    }

    /**
     * The upstream body, as APISIX answers a RespBody question.
     *
     * @param body the body, or {@code null} for none
     * @return this response
     */
    public TestUpstream body(byte[] body) {
        this.body = body == null ? null : body.clone();
        return this;
    }

    /**
     * The upstream body as UTF-8 text.
     *
     * @param body the body, or {@code null} for none
     * @return this response
     */
    public TestUpstream body(String body) {
        return body(body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    /** The client request this response answers: its variables and body answer ExtraInfo questions. */
    public TestUpstream request(TestRequest request) {
        this.request = request;
        return this;
    }

    /** Answers variable {@code name}; {@code null} means no value. Wins over {@link #request}'s. */
    public TestUpstream var(String name, String value) {
        vars.put(name, value);
        return this;
    }

    /** The client request body. Wins over {@link #request}'s. */
    public TestUpstream requestBody(String body) {
        this.requestBody = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    /**
     * The upstream headers so far.
     *
     * @return the headers in order, names in the case given
     */
    public List<Field> headers() {
        return Collections.unmodifiableList(headers);
    }

    /**
     * The upstream status.
     *
     * @return the status, 100 to 999
     */
    public int status() {
        return status;
    }

    byte[] var(String name) {
        if (vars.containsKey(name)) {
            String v = vars.get(name);
            return v == null ? null : v.getBytes(StandardCharsets.UTF_8);
        }
        return request == null ? null : request.var(name);
    }

    byte[] requestBody() {
        return requestBody != null ? requestBody : request == null ? null : request.body();
    }

    byte[] body() {
        return body;
    }
}
