package io.github.a6sdk.runtime.reliability;

import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load that reaches the runner the way APISIX's ext-plugin client does (docs/protocol.md 4 and 8):
 * a LIFO keepalive pool that drops an idle connection that became readable or was closed (nginx's
 * pool), a token cache, PrepareConf on a second connection, and on CONF_TOKEN_NOT_FOUND the cache
 * flushed and the call tried again, at most 3 attempts. Any other failure is a failed call (a 503).
 * {@code threads} threads call back to back until {@link #stop()}.
 */
final class PooledApisix implements AutoCloseable {
    private final Path socket;
    private final String plugin;
    private final String config;
    private final ArrayDeque<ApisixClient> pool = new ArrayDeque<>();
    private final Map<String, Long> tokens = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;
    final AtomicInteger ok = new AtomicInteger();
    final AtomicInteger retried = new AtomicInteger();
    final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());

    /** Calls {@code plugin} with {@code config}; a right answer is a Stop whose body is {@code config}'s echo ({@code expectBody}). */
    PooledApisix(Path socket, String plugin, String config, String expectBody, int threadCount) {
        this.socket = socket;
        this.plugin = plugin;
        this.config = config;
        for (int i = 0; i < threadCount; i++) {
            Thread t = new Thread(() -> {
                while (running) {
                    String why = call(expectBody);
                    if (why != null && running) {
                        failures.add(java.time.Instant.now() + " " + why);
                    }
                }
            }, "pooled-apisix-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
    }

    PooledApisix start() {
        threads.forEach(Thread::start);
        return this;
    }

    /** One request through the ext-plugin: {@code null} when it got the right answer, else why it failed. */
    private String call(String expectBody) {
        for (int attempt = 1; attempt <= 3; attempt++) {
            ApisixClient outer;
            try {
                outer = take();
            } catch (IOException e) {
                return "failed to connect: " + e;
            }
            boolean reuse = false;
            try {
                Long token = tokens.get("route");
                if (token == null) {
                    ApisixClient pc = take();
                    Reply r;
                    try {
                        r = pc.prepareConf("route#1#ext-plugin-pre-req#1", List.of(Field.of(plugin, config)));
                    } catch (IOException e) {
                        pc.close();
                        return "failed to receive RPC_PREPARE_CONF: " + e;
                    }
                    if (r instanceof Reply.Error e && e.code() == Rpc.ERR_CONF_TOKEN_NOT_FOUND) {
                        pc.close();
                        tokens.clear();
                        retried.incrementAndGet();
                        continue;
                    }
                    if (!(r instanceof Reply.Token t)) {
                        pc.close();
                        return "PrepareConf answered " + r;
                    }
                    give(pc);
                    token = t.token();
                    tokens.put("route", token);
                }
                Reply r = outer.call(token, new CallRequest().path("/"), new ExtraInfoAnswers());
                if (r instanceof Reply.Error e && e.code() == Rpc.ERR_CONF_TOKEN_NOT_FOUND) {
                    tokens.clear();
                    retried.incrementAndGet();
                    continue;
                }
                if (!(r instanceof Reply.Stop s && s.bodyAsString().equals(expectBody))) {
                    return "call answered " + r;
                }
                reuse = true;
                ok.incrementAndGet();
                return null;
            } catch (IOException e) {
                return "failed to receive RPC_HTTP_REQ_CALL: " + e;
            } finally {
                if (reuse) {
                    give(outer);
                } else {
                    closeQuietly(outer);
                }
            }
        }
        return "conf token not found, 3 attempts";
    }

    /** The most recently pooled connection that is still reusable, else a new one. */
    private ApisixClient take() throws IOException {
        while (true) {
            ApisixClient c;
            synchronized (pool) {
                c = pool.pollFirst();
            }
            if (c == null) {
                return ApisixClient.connect(socket);
            }
            if (c.reusable()) {
                return c;
            }
            closeQuietly(c);
        }
    }

    private void give(ApisixClient c) {
        synchronized (pool) {
            if (running && pool.size() < 32) {
                pool.addFirst(c);
                return;
            }
        }
        closeQuietly(c);
    }

    private static void closeQuietly(ApisixClient c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    void stop() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(10_000);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        synchronized (pool) {
            pool.forEach(PooledApisix::closeQuietly);
            pool.clear();
        }
    }
}
