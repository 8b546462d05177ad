package io.github.a6sdk.testkit;

import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.dev.HttpCall;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a response-phase chain answered ({@code HTTPRespCall.Resp}, as on the wire), and what the
 * client gets once APISIX applies it (docs/protocol.md section 7).
 */
public final class ResponseOutcome {
    private final Reply.RespCall reply;
    private final TestUpstream upstream;
    private final String failure;
    private final Throwable cause;
    private final ConfigException configError;

    ResponseOutcome(Reply.RespCall reply, TestUpstream upstream) {
        this.reply = reply;
        this.upstream = upstream;
        this.failure = null;
        this.cause = null;
        this.configError = null;
    }

    ResponseOutcome(String failure, Throwable cause, TestUpstream upstream) {
        this(failure, cause, upstream, null);
    }

    ResponseOutcome(String failure, Throwable cause, TestUpstream upstream, ConfigException configError) {
        this.reply = null;
        this.upstream = upstream;
        this.failure = failure;
        this.cause = cause;
        this.configError = configError;
    }

    /**
     * The config error that failed the call: the runner rejected a config of the route at PrepareConf
     * (over the protocol, {@link FakeApisix}).
     *
     * @return the error, with the plugin and the JSON path of the offending value
     * @throws AssertionError when the call did not fail, or failed for another reason
     */
    public ConfigException configError() {
        failure();
        if (configError == null) {
            throw new AssertionError("expected the response call to fail on a config error but it " + this);
        }
        return configError;
    }

    /**
     * Whether the call failed (APISIX then streams the upstream body with status 503).
     *
     * @return {@code true} for a failed call
     */
    public boolean isFailed() {
        return failure != null;
    }

    /** Why the call failed (APISIX then streams the upstream body with status 503); an {@link AssertionError} otherwise. */
    public String failure() {
        if (failure == null) {
            throw new AssertionError("expected the response call to fail but it answered " + this);
        }
        return failure;
    }

    /**
     * What the plugin threw (in memory), or the I/O error (over the protocol).
     *
     * @return the cause, or {@code null}
     * @throws AssertionError when the call did not fail
     */
    public Throwable failureCause() {
        failure();
        return cause;
    }

    private Reply.RespCall reply() {
        if (reply == null) {
            AssertionError e = new AssertionError("the response call failed: " + failure);
            if (cause != null) {
                e.initCause(cause);
            }
            throw e;
        }
        return reply;
    }

    /** Whether the reply changes nothing (no status, headers or body). */
    public boolean isUnchanged() {
        Reply.RespCall r = reply();
        return r.status() == 0 && r.headers().isEmpty() && (r.body() == null || r.body().length == 0);
    }

    /** The status field as sent: 0 keeps the upstream status. */
    public int wireStatus() {
        return reply().status();
    }

    /** The header entries as sent: empty keeps the upstream headers; otherwise the complete set. */
    public List<Field> wireHeaders() {
        return Field.fromWire(reply().headers());
    }

    /** The body as sent, or {@code null} when the upstream body is kept. */
    public byte[] wireBody() {
        byte[] b = reply().body();
        return b == null || b.length == 0 ? null : b;
    }

    /** The status the client gets. */
    public int status() {
        int s = reply().status();
        return s == 0 ? upstream.status() : s;
    }

    /**
     * The headers the client gets: the reply's (first of a name sets, later ones add) when it has any,
     * else the upstream headers without the names APISIX does not copy (Content-Type among them).
     */
    public List<Field> headers() {
        List<Field> out = new ArrayList<>();
        if (!reply().headers().isEmpty()) {
            List<io.github.a6sdk.runtime.client.Field> wire = new ArrayList<>();
            HttpCall.setOrAdd(wire, reply().headers(), Set.of());
            return Field.fromWire(wire);
        }
        for (Field h : upstream.headers()) {
            if (!HttpCall.FILTERED.contains(h.name().toLowerCase(Locale.ROOT))) {
                out.add(h);
            }
        }
        return out;
    }

    /** The first value of header {@code name} the client gets (ignoring case), or {@code null}. */
    public String header(String name) {
        for (Field h : headers()) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    /** Every value of header {@code name} the client gets. */
    public List<String> headerValues(String name) {
        List<String> out = new ArrayList<>();
        for (Field h : headers()) {
            if (h.name().equalsIgnoreCase(name)) {
                out.add(h.value());
            }
        }
        return out;
    }

    /** The body the client gets. */
    public byte[] body() {
        byte[] b = wireBody();
        return b != null ? b : upstream.body();
    }

    /**
     * The body the client gets, decoded as UTF-8.
     *
     * @return the body, or {@code null} when there is none
     */
    public String bodyAsString() {
        byte[] b = body();
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        if (failure != null) {
            return "failed: " + failure;
        }
        return "status " + wireStatus() + " headers " + wireHeaders()
                + (wireBody() == null ? "" : " body \"" + new String(wireBody(), StandardCharsets.UTF_8) + "\"");
    }
}
