package io.github.a6sdk.testkit;

import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.runtime.client.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a request-phase chain answered, exactly as the reply on the wire carries it: the request was
 * stopped, rewritten, passed on unchanged, or the call failed (APISIX answers the client 503).
 * The accessors {@link #stopped()}, {@link #rewritten()}, {@link #assertPassed()} and
 * {@link #failure()} check the kind and throw {@link AssertionError} with a description otherwise,
 * so they read as assertions in any test framework.
 */
public final class RequestOutcome {
    /** The kind of answer. */
    public enum Action { PASS, STOP, REWRITE, FAIL }

    private final Reply reply;
    private final String failure;
    private final Throwable cause;
    private final ConfigException configError;

    RequestOutcome(Reply reply) {
        this.reply = reply;
        this.failure = null;
        this.cause = null;
        this.configError = null;
    }

    RequestOutcome(String failure, Throwable cause) {
        this(failure, cause, null);
    }

    RequestOutcome(String failure, Throwable cause, ConfigException configError) {
        this.reply = null;
        this.failure = failure;
        this.cause = cause;
        this.configError = configError;
    }

    /**
     * What the chain answered.
     *
     * @return the kind of answer
     */
    public Action action() {
        if (failure != null) {
            return Action.FAIL;
        }
        if (reply instanceof Reply.Stop) {
            return Action.STOP;
        }
        return reply instanceof Reply.Rewrite ? Action.REWRITE : Action.PASS;
    }

    /**
     * Whether the request was stopped.
     *
     * @return {@code action() == STOP}
     */
    public boolean isStopped() {
        return action() == Action.STOP;
    }

    /**
     * Whether the request was rewritten.
     *
     * @return {@code action() == REWRITE}
     */
    public boolean isRewritten() {
        return action() == Action.REWRITE;
    }

    /**
     * Whether the request goes on unchanged.
     *
     * @return {@code action() == PASS}
     */
    public boolean isPassed() {
        return action() == Action.PASS;
    }

    /**
     * Whether the call failed (APISIX answers the client 503).
     *
     * @return {@code action() == FAIL}
     */
    public boolean isFailed() {
        return action() == Action.FAIL;
    }

    /** The Stop; an {@link AssertionError} when the request was not stopped. */
    public Stop stopped() {
        expect(Action.STOP);
        return new Stop((Reply.Stop) reply);
    }

    /** The Rewrite; an {@link AssertionError} when the request was not rewritten. */
    public Rewrite rewritten() {
        expect(Action.REWRITE);
        return new Rewrite((Reply.Rewrite) reply);
    }

    /** Checks that the request goes on unchanged. */
    public RequestOutcome assertPassed() {
        expect(Action.PASS);
        return this;
    }

    /** Why the call failed; an {@link AssertionError} when it did not. */
    public String failure() {
        expect(Action.FAIL);
        return failure;
    }

    /** What the plugin threw (in memory), or the I/O error (over the wire); may be {@code null}. */
    public Throwable failureCause() {
        expect(Action.FAIL);
        return cause;
    }

    /**
     * The config error that failed the call: over the protocol ({@link FakeApisix}), the runner
     * rejected a config of the route at PrepareConf, and this is the error it gave. (In memory, a
     * bad config fails {@link PluginChain#of(io.github.a6sdk.api.spi.PluginDescriptor, String)} itself.)
     *
     * @return the error, with the plugin and the JSON path of the offending value
     * @throws AssertionError when the call did not fail, or failed for another reason
     */
    public ConfigException configError() {
        expect(Action.FAIL);
        if (configError == null) {
            throw new AssertionError("expected the call to fail on a config error but it " + this);
        }
        return configError;
    }

    /** The decoded reply, or {@code null} for a failure. */
    Reply reply() {
        return reply;
    }

    private void expect(Action wanted) {
        if (action() != wanted) {
            AssertionError e = new AssertionError("expected the request to be " + describe(wanted) + " but it was "
                    + this);
            if (cause != null) {
                e.initCause(cause);
            }
            throw e;
        }
    }

    private static String describe(Action a) {
        switch (a) {
            case STOP: return "stopped";
            case REWRITE: return "rewritten";
            case PASS: return "passed on unchanged";
            default: return "failed";
        }
    }

    @Override
    public String toString() {
        switch (action()) {
            case FAIL: return "failed: " + failure;
            case STOP: return stopped().toString();
            case REWRITE: return rewritten().toString();
            default: return "passed on unchanged";
        }
    }

    /** A Stop: the response APISIX sends the client instead of proxying. */
    public static final class Stop {
        private final Reply.Stop stop;

        Stop(Reply.Stop stop) {
            this.stop = stop;
        }

        /** The status the client gets: as sent, or 200 when the plugin left it 0. */
        public int status() {
            return stop.status() == 0 ? 200 : stop.status();
        }

        /** The status field as sent (0 when unset). */
        public int wireStatus() {
            return stop.status();
        }

        /** The headers as sent, in order; a repeated name is a multi-value header. */
        public List<Field> headers() {
            return Field.fromWire(stop.headers());
        }

        /** The first value of header {@code name} (ignoring case), or {@code null}. */
        public String header(String name) {
            List<String> v = stop.header(name);
            return v.isEmpty() ? null : v.get(0);
        }

        /** Every value of header {@code name}. */
        public List<String> headerValues(String name) {
            return stop.header(name);
        }

        /** The body, or {@code null} when none (APISIX sends no body for an empty one). */
        public byte[] body() {
            return stop.body() == null || stop.body().length == 0 ? null : stop.body();
        }

        /**
         * The body decoded as UTF-8.
         *
         * @return the body, or {@code null} when none
         */
        public String bodyAsString() {
            byte[] b = body();
            return b == null ? null : new String(b, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "stopped with " + status() + " " + headers() + (body() == null ? "" : " body \"" + bodyAsString() + "\"");
        }
    }

    /** A Rewrite: what APISIX changes before proxying (docs/protocol.md section 5.2). */
    public static final class Rewrite {
        private final Reply.Rewrite rw;

        Rewrite(Reply.Rewrite rw) {
            this.rw = rw;
        }

        /** The new path, or {@code null} when unchanged. */
        public String path() {
            return rw.path();
        }

        /** Request header entries as sent: one per changed name, values joined with ", "; no value = removed. */
        public List<Field> headers() {
            return Field.fromWire(rw.headers());
        }

        /** The value header {@code name} is set to, or {@code null} when it is removed or untouched. */
        public String header(String name) {
            Field f = find(headers(), name, true);
            return f == null ? null : f.value();
        }

        /** The names of the request headers set (not removed). */
        public Set<String> headersSet() {
            return names(headers(), true);
        }

        /** The names of the request headers removed. */
        public Set<String> headersRemoved() {
            return names(headers(), false);
        }

        /** Query arg entries as sent: per changed name, its values in order, or one entry without value (removed). */
        public List<Field> args() {
            return Field.fromWire(rw.args());
        }

        /** The values arg {@code name} is set to (empty when removed or untouched). */
        public List<String> arg(String name) {
            List<String> out = new ArrayList<>();
            for (Field f : args()) {
                if (f.name().equals(name) && f.value() != null) {
                    out.add(f.value());
                }
            }
            return out;
        }

        /**
         * The names of the query args removed.
         *
         * @return the names, in order
         */
        public Set<String> argsRemoved() {
            return names(args(), false);
        }

        /** Headers for the client's final response, as sent (APISIX ignores some names, see section 5.2). */
        public List<Field> responseHeaders() {
            return Field.fromWire(rw.respHeaders());
        }

        /** The first value of response header {@code name}, or {@code null}. */
        public String responseHeader(String name) {
            Field f = find(responseHeaders(), name, true);
            return f == null ? null : f.value();
        }

        /** The new request body, or {@code null} when unchanged. */
        public byte[] body() {
            return rw.body() == null || rw.body().length == 0 ? null : rw.body();
        }

        /**
         * The new request body decoded as UTF-8.
         *
         * @return the body, or {@code null} when unchanged
         */
        public String bodyAsString() {
            byte[] b = body();
            return b == null ? null : new String(b, StandardCharsets.UTF_8);
        }

        private static Field find(List<Field> fields, String name, boolean ignoreCase) {
            for (Field f : fields) {
                if (ignoreCase ? f.name().equalsIgnoreCase(name) : f.name().equals(name)) {
                    return f;
                }
            }
            return null;
        }

        private static Set<String> names(List<Field> fields, boolean withValue) {
            Set<String> out = new LinkedHashSet<>();
            for (Field f : fields) {
                if ((f.value() != null) == withValue) {
                    out.add(f.name());
                }
            }
            return out;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("rewritten:");
            if (path() != null) {
                sb.append(" path ").append(path());
            }
            if (!headers().isEmpty()) {
                sb.append(" headers ").append(headers());
            }
            if (!args().isEmpty()) {
                sb.append(" args ").append(args());
            }
            if (!responseHeaders().isEmpty()) {
                sb.append(" response headers ").append(responseHeaders());
            }
            if (body() != null) {
                sb.append(" body \"").append(bodyAsString()).append('"');
            }
            return sb.toString();
        }
    }
}
