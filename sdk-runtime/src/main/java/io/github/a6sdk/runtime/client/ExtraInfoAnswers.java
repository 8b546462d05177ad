package io.github.a6sdk.runtime.client;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How the client answers the runner's ExtraInfo questions, as APISIX would: a variable's value or
 * absent, the request body, the upstream body. Counts the questions it was asked.
 */
public class ExtraInfoAnswers {
    private final Map<String, byte[]> vars = new HashMap<>();
    private byte[] requestBody;
    private byte[] responseBody;
    private final AtomicInteger questions = new AtomicInteger();

    public ExtraInfoAnswers var(String name, String value) {
        vars.put(name, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    public ExtraInfoAnswers requestBody(byte[] body) {
        this.requestBody = body;
        return this;
    }

    public ExtraInfoAnswers requestBody(String body) {
        return requestBody(body.getBytes(StandardCharsets.UTF_8));
    }

    public ExtraInfoAnswers responseBody(byte[] body) {
        this.responseBody = body;
        return this;
    }

    public ExtraInfoAnswers responseBody(String body) {
        return responseBody(body.getBytes(StandardCharsets.UTF_8));
    }

    /** The answer to a Var question: {@code null} (absent) when the variable has no value. */
    public byte[] var(String name) {
        questions.incrementAndGet();
        return vars.get(name);
    }

    public byte[] requestBody() {
        questions.incrementAndGet();
        return requestBody;
    }

    /** APISIX answers RespBody with nothing during a request-phase call. */
    public byte[] responseBody() {
        questions.incrementAndGet();
        return responseBody;
    }

    /** How many questions were answered. */
    public int questions() {
        return questions.get();
    }
}
