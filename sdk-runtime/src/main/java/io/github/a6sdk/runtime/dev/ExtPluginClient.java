package io.github.a6sdk.runtime.dev;

import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * APISIX's {@code ext-plugin} module as a client (docs/protocol.md section 4): conf tokens cached per
 * key; a missing token is prepared on a separate connection while the call's own connection waits;
 * kept-alive connections reused; any error closes its connection; {@code CONF_TOKEN_NOT_FOUND}
 * forgets every token and starts again, at most 3 attempts. Thread-safe.
 */
public final class ExtPluginClient implements Closeable {
    /** APISIX's attempt limit for CONF_TOKEN_NOT_FOUND. */
    public static final int ATTEMPTS = 3;

    private final Path socket;
    private final Map<String, Long> tokens = new ConcurrentHashMap<>();
    private final Deque<ApisixClient> idle = new ConcurrentLinkedDeque<>();
    private final Object prepareLock = new Object();
    private final AtomicInteger prepares = new AtomicInteger();
    private final AtomicInteger retries = new AtomicInteger();
    /** Each open connection and the runner generation it was opened in (see {@link #forgetConnections}). */
    private final Map<ApisixClient, Integer> generationOf = new ConcurrentHashMap<>();
    private volatile int generation;
    private volatile boolean closed;

    public ExtPluginClient(Path socket) {
        this.socket = socket;
    }

    private interface Exchange {
        Reply run(ApisixClient client, long token) throws IOException;
    }

    /** An HTTPReqCall for the route conf {@code key}; the final reply (an {@link Reply.Error} after a failure). */
    public Reply call(String key, List<Field> conf, CallRequest request, ExtraInfoAnswers answers) throws IOException {
        return communicate(key, conf, (c, token) -> c.call(token, request, answers));
    }

    /** An HTTPRespCall for the route conf {@code key}. */
    public Reply respCall(String key, List<Field> conf, long id, int status, List<Field> headers, ExtraInfoAnswers answers)
            throws IOException {
        return communicate(key, conf, (c, token) -> c.respCall(token, id, status, headers, answers));
    }

    private Reply communicate(String key, List<Field> conf, Exchange exchange) throws IOException {
        Reply last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (attempt > 1) {
                retries.incrementAndGet();
            }
            ApisixClient client = take();
            boolean keep = false;
            try {
                Long token = tokens.get(key);
                if (token == null) {
                    Reply prepared = prepare(key, conf);
                    if (!(prepared instanceof Reply.Token t)) {
                        last = prepared;
                        if (isTokenNotFound(prepared)) {
                            tokens.clear();
                            continue;
                        }
                        return prepared;
                    }
                    token = t.token();
                }
                last = exchange.run(client, token);
                if (isTokenNotFound(last)) {
                    tokens.clear();
                    continue;
                }
                keep = !(last instanceof Reply.Error);
                return last;
            } finally {
                release(client, keep);
            }
        }
        return last;
    }

    /**
     * Back into the pool after a successful call, unless the runner sent more than the reply (nginx's
     * rule) or the connection belongs to a runner that is being replaced.
     */
    private void release(ApisixClient c, boolean keep) throws IOException {
        Integer born = generationOf.get(c);
        if (keep && !closed && !c.hasUnread() && born != null && born == generation) {
            idle.push(c);
        } else {
            close(c);
        }
    }

    private void close(ApisixClient c) throws IOException {
        generationOf.remove(c);
        c.close();
    }

    private static boolean isTokenNotFound(Reply r) {
        return r instanceof Reply.Error e && e.code() == Rpc.ERR_CONF_TOKEN_NOT_FOUND;
    }

    /** PrepareConf on its own connection, under one lock as APISIX does; caches the token. */
    private Reply prepare(String key, List<Field> conf) throws IOException {
        synchronized (prepareLock) {
            Long cached = tokens.get(key);
            if (cached != null) {
                return new Reply.Token(cached);
            }
            ApisixClient c = take();
            boolean keep = false;
            try {
                prepares.incrementAndGet();
                Reply r = c.prepareConf(key, conf);
                if (r instanceof Reply.Token t) {
                    tokens.put(key, t.token());
                    keep = true;
                }
                return r;
            } finally {
                release(c, keep);
            }
        }
    }

    /** A pooled connection that is still idle (nginx drops one the runner closed or wrote to), else a new one. */
    private ApisixClient take() throws IOException {
        ApisixClient c;
        while ((c = idle.poll()) != null) {
            if (c.reusable()) {
                return c;
            }
            close(c);
        }
        ApisixClient c2 = ApisixClient.connect(socket);
        generationOf.put(c2, generation);
        return c2;
    }

    /**
     * A newer runner serves the socket now: the idle connections are closed and the ones in use are
     * closed after their call, so that no call is sent again to the runner that is about to drain and
     * close its connections (where a call written as it closes an idle one would fail).
     */
    public void forgetConnections() {
        generation++;
        closeIdle();
    }

    /** Forgets every cached token, as APISIX does when the runner it manages exits. */
    public void forgetTokens() {
        tokens.clear();
    }

    /** The token cached for {@code key}, or {@code null}. */
    public Long token(String key) {
        return tokens.get(key);
    }

    /** PrepareConf requests sent so far. */
    public int prepareCount() {
        return prepares.get();
    }

    /** Attempts repeated after CONF_TOKEN_NOT_FOUND so far. */
    public int retryCount() {
        return retries.get();
    }

    /** Closes the idle connections (a later call opens new ones). */
    public void closeIdle() {
        ApisixClient c;
        while ((c = idle.poll()) != null) {
            try {
                close(c);
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        closeIdle();
    }
}
