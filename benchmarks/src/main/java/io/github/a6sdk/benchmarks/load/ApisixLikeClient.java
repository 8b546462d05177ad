package io.github.a6sdk.benchmarks.load;

import io.github.api7.A6.HTTPReqCall.Resp;
import io.github.api7.A6.HTTPReqCall.Stop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A client that behaves as APISIX's ext-plugin Lua client ({@code apisix/plugins/ext-plugin/init.lua};
 * protocol.md sections 4 and 8), for measuring what APISIX sees while runners restart:
 *
 * <ul>
 *   <li>one instance = one APISIX instance: the shared dict {@code ext-plugin} (conf key → token, all
 *       workers) and the global {@code prepare_conf} lock (wait at most 5 s);
 *   <li>each {@link Worker} = one nginx worker: its keepalive pool (LIFO, at most 32 idle connections;
 *       an idle connection that became readable or hit end-of-file is dropped when picked, as nginx's
 *       pool drops it when the runner closes it; one with unread bytes is never pooled) and its LRU of
 *       8 tokens keyed by route;
 *   <li>a call: take the outer connection (pool or new; connect timeout 1 s), then the token: worker
 *       LRU, else a PrepareConf step on a second connection (shared dict, else lock, dict again,
 *       PrepareConf), then the call on the outer connection; both connections go back to the pool
 *       after success;
 *   <li>{@code CONF_TOKEN_NOT_FOUND} (to the call or to the PrepareConf): close that connection, flush
 *       the shared dict and this worker's LRU, start again, at most 3 attempts; any other error (connect
 *       refused or socket missing, I/O error, end-of-file, unexpected frame, another error code):
 *       close the connection, the call fails (APISIX answers 503).
 * </ul>
 *
 * Every blocking step has a deadline (a watchdog closes a connection stuck past it; APISIX's read and
 * send timeouts are 60 s), and {@link #close()} ends every call in flight, so a runner that hangs
 * cannot hang the client. The runner-exit cache flush (protocol.md 4.5) is not modelled: on a
 * reload the old agent is exiting, and a runner run outside APISIX gets no flush either.
 */
final class ApisixLikeClient implements AutoCloseable {
    static final int MAX_ATTEMPTS = 3;
    static final int POOL_SIZE = 32;
    static final int LRU_SIZE = 8;
    static final long CONNECT_TIMEOUT_MS = 1000;
    static final long LOCK_WAIT_MS = 5000;
    static final int CONF_TOKEN_NOT_FOUND = 2;

    /** One route: its conf key (protocol.md 4.2) and a {@code say} chain whose reply body names the route. */
    record Route(int index, String key, List<String[]> conf, String body) {
        static Route say(int index, String version) {
            String name = "route-" + index;
            return new Route(index, "route#" + index + "#ext-plugin-pre-req#" + version,
                    List.<String[]>of(new String[] {"say", "{\"body\":\"" + name + "\"}"}), name);
        }
    }

    /** How a call ended. {@code ABORTED}: cut by {@link #close()}, not counted. */
    enum Outcome { OK, WRONG, FAILED, ABORTED }

    /** A CONF_TOKEN_NOT_FOUND answer: APISIX flushes its caches and tries again. */
    private static final class TokenNotFound extends Exception {
        private static final long serialVersionUID = 1L;

        TokenNotFound() {
            super("conf token not found", null, false, false);
        }
    }

    /** The connection a thread is blocked on, and until when (checked by the watchdog). */
    private static final class Slot {
        volatile long deadline;
        volatile FrameConn conn;
    }

    private final Path socket;
    private final long timeoutNanos;
    private final Map<String, Long> dict = new ConcurrentHashMap<>();
    private final ReentrantLock prepareLock = new ReentrantLock();
    private final List<Worker> workers = new CopyOnWriteArrayList<>();
    private final List<Slot> slots = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Slot> slot = ThreadLocal.withInitial(() -> {
        Slot s = new Slot();
        slots.add(s);
        return s;
    });
    private final Thread watchdog;
    private volatile boolean closed;

    final LongAdder ok = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder wrong = new LongAdder();
    final LongAdder tokenNotFound = new LongAdder();
    final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    final AtomicReference<String> firstWrong = new AtomicReference<>();
    private final AtomicLong lastOk = new AtomicLong();
    private final AtomicLong longestGap = new AtomicLong();
    private final AtomicLong longestGapStart = new AtomicLong();
    private volatile long clockEnd = Long.MAX_VALUE;

    /** @param timeoutMillis per read or write (APISIX: 60,000) */
    ApisixLikeClient(Path socket, long timeoutMillis) {
        this.socket = socket;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.watchdog = new Thread(this::watch, "apisix-like-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        lastOk.set(System.nanoTime());
    }

    /** A new nginx worker: its own pool and LRU, sharing this instance's dict and lock. */
    Worker worker() {
        Worker w = new Worker();
        workers.add(w);
        return w;
    }

    /** Puts a token into the shared dict, as one kept from an earlier runner across a reload. */
    void remember(Route route, long token) {
        dict.put(route.key(), token);
    }

    /** Starts the gap clock: the longest gap is measured from here. */
    void startClock(long nanos) {
        clockEnd = Long.MAX_VALUE;
        lastOk.set(nanos);
        longestGap.set(0);
        longestGapStart.set(nanos);
    }

    /**
     * Stops the gap clock at {@code endNanos} (calls that end later do not count) and returns the
     * longest interval with no successful call since {@link #startClock}.
     */
    long stopClock(long endNanos) {
        clockEnd = endNanos;
        noteOk(endNanos);
        return longestGap.get();
    }

    /** When the longest gap began (System.nanoTime clock). */
    long longestGapStartNanos() {
        return longestGapStart.get();
    }

    private void noteOk(long now) {
        long t = Math.min(now, clockEnd);
        long prev = lastOk.getAndAccumulate(t, Math::max);
        if (t > prev) {
            long gap = t - prev;
            synchronized (longestGap) {
                if (gap > longestGap.get()) {
                    longestGap.set(gap);
                    longestGapStart.set(prev);
                }
            }
        }
    }

    /** One request through the ext-plugin: up to 3 attempts, counted in this client's figures. */
    Outcome call(Worker w, Route route, int id) {
        for (int attempt = 1; ; attempt++) {
            try {
                Outcome o = attempt(w, route, id);
                if (o == Outcome.OK) {
                    ok.increment();
                    noteOk(System.nanoTime());
                } else if (o == Outcome.WRONG) {
                    wrong.increment();
                }
                return o;
            } catch (TokenNotFound e) {
                if (closed) {
                    return Outcome.ABORTED;
                }
                tokenNotFound.increment();
                dict.clear();
                w.resetLru();
                if (attempt == MAX_ATTEMPTS) {
                    return fail("conf token not found, 3 attempts");
                }
            } catch (IOException e) {
                return closed ? Outcome.ABORTED : fail(e.getMessage());
            }
        }
    }

    private Outcome fail(String why) {
        failed.increment();
        failures.computeIfAbsent(why, k -> new LongAdder()).increment();
        return Outcome.FAILED;
    }

    private Outcome attempt(Worker w, Route route, int id) throws IOException, TokenNotFound {
        FrameConn outer = w.connect();
        boolean pooled = false;
        try {
            long token = w.token(route);
            ByteBuffer req = request(token, "/" + route.index());
            req.putInt(Wire.idPosition(req), id);
            exchange(outer, Wire.HTTP_REQ_CALL, req, "RPC_HTTP_REQ_CALL");
            Resp r = Resp.getRootAsResp(outer.payload());
            if (r.id() != (id & 0xFFFFFFFFL)) {
                throw new IOException("failed to receive RPC_HTTP_REQ_CALL: reply id differs from the request's");
            }
            String body = stopBody(r);
            w.keepalive(outer);
            pooled = true;
            if (route.body().equals(body)) {
                return Outcome.OK;
            }
            firstWrong.compareAndSet(null, route.body() + " answered "
                    + (body == null ? "with action " + r.actionType() : "\"" + body + "\""));
            return Outcome.WRONG;
        } finally {
            if (!pooled) {
                quietClose(outer);
            }
        }
    }

    /**
     * An HTTPReqCall as APISIX sends one: never an empty args or headers vector (the template forces
     * defaults, and an absent vector would be written as a bad offset the official runner trips on).
     */
    private static ByteBuffer request(long token, String path) {
        return Wire.reqCall(token, new byte[] {127, 0, 0, 1}, 0, path, List.<String[]>of(new String[] {"a", "1"}),
                List.<String[]>of(new String[] {"host", "api.example.com"}));
    }

    /** The Stop body of a call reply, or {@code null} when the action is not Stop. */
    static String stopBody(Resp r) {
        if (r.actionType() != io.github.api7.A6.HTTPReqCall.Action.Stop) {
            return null;
        }
        Stop st = (Stop) r.action(new Stop());
        ByteBuffer b = st.bodyAsByteBuffer();
        return b == null ? "" : StandardCharsets.UTF_8.decode(b).toString();
    }

    /**
     * The PrepareConf step (protocol.md 4.1 step 2) on {@code pc}: shared dict, else the lock, the dict
     * again, and a PrepareConf whose token goes into the dict.
     */
    private long prepareStep(FrameConn pc, Route route) throws IOException, TokenNotFound {
        Long t = dict.get(route.key());
        if (t != null) {
            return t;
        }
        try {
            if (!prepareLock.tryLock(LOCK_WAIT_MS, TimeUnit.MILLISECONDS)) {
                throw new IOException("failed to acquire the lock: timeout");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the lock");
        }
        try {
            t = dict.get(route.key());
            if (t != null) {
                return t;
            }
            long token = prepareOn(pc, route);
            dict.put(route.key(), token);
            return token;
        } finally {
            prepareLock.unlock();
        }
    }

    private long prepareOn(FrameConn pc, Route route) throws IOException, TokenNotFound {
        exchange(pc, Wire.PREPARE_CONF, Wire.prepareConfReq(route.key(), route.conf()), "RPC_PREPARE_CONF");
        return io.github.api7.A6.PrepareConf.Resp.getRootAsResp(pc.payload()).confToken();
    }

    /**
     * Sends one request and reads its reply, judged as APISIX judges it: CONF_TOKEN_NOT_FOUND →
     * {@link TokenNotFound}; another error code, another frame type, or an I/O error → an
     * IOException worded as APISIX's log line.
     */
    private void exchange(FrameConn c, int type, ByteBuffer payload, String rpc) throws IOException, TokenNotFound {
        int got;
        try {
            write(c, type, payload);
            got = read(c);
        } catch (IOException e) {
            throw new IOException("failed to receive " + rpc + ": " + e.getMessage(), e);
        }
        if (got == Wire.ERROR) {
            int code = io.github.api7.A6.Err.Resp.getRootAsResp(c.payload()).code();
            if (code == CONF_TOKEN_NOT_FOUND) {
                throw new TokenNotFound();
            }
            throw new IOException("failed to receive " + rpc + ": error code " + code);
        }
        if (got != type) {
            throw new IOException("failed to receive " + rpc + ": frame type " + got);
        }
    }

    /** One PrepareConf on a new connection, outside every cache (the token cell and the served check). */
    long prepareFresh(Route route) throws IOException {
        FrameConn c = FrameConn.connect(socket, CONNECT_TIMEOUT_MS);
        try {
            return prepareOn(c, route);
        } catch (TokenNotFound e) {
            throw new IOException("PrepareConf answered CONF_TOKEN_NOT_FOUND");
        } finally {
            quietClose(c);
        }
    }

    /**
     * One call carrying {@code token} on a new connection: the Stop body it got ({@code "route-N"}),
     * {@code "CONF_TOKEN_NOT_FOUND"}, or a description of whatever else came back.
     */
    String probe(long token) throws IOException {
        FrameConn c = FrameConn.connect(socket, CONNECT_TIMEOUT_MS);
        try {
            ByteBuffer req = request(token, "/probe");
            write(c, Wire.HTTP_REQ_CALL, req);
            int type = read(c);
            if (type == Wire.ERROR) {
                int code = io.github.api7.A6.Err.Resp.getRootAsResp(c.payload()).code();
                return code == CONF_TOKEN_NOT_FOUND ? "CONF_TOKEN_NOT_FOUND" : "error code " + code;
            }
            if (type != Wire.HTTP_REQ_CALL) {
                return "frame type " + type;
            }
            Resp r = Resp.getRootAsResp(c.payload());
            String body = stopBody(r);
            return body == null ? "action " + r.actionType() : body;
        } finally {
            quietClose(c);
        }
    }

    private void write(FrameConn c, int type, ByteBuffer payload) throws IOException {
        Slot s = slot.get();
        s.deadline = System.nanoTime() + timeoutNanos;
        s.conn = c;
        try {
            c.write(type, payload);
        } catch (IOException e) {
            throw timedOut(s, e);
        } finally {
            s.conn = null;
        }
    }

    private int read(FrameConn c) throws IOException {
        Slot s = slot.get();
        s.deadline = System.nanoTime() + timeoutNanos;
        s.conn = c;
        try {
            return c.read();
        } catch (IOException e) {
            throw timedOut(s, e);
        } finally {
            s.conn = null;
        }
    }

    /** The watchdog closed the connection because its deadline passed: say so (the close itself has no message). */
    private IOException timedOut(Slot s, IOException e) {
        if (!closed && System.nanoTime() - s.deadline > 0) {
            return new IOException("timeout (" + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms)", e);
        }
        return e.getMessage() == null ? new IOException(e.getClass().getSimpleName(), e) : e;
    }

    private void watch() {
        while (true) {
            long now = System.nanoTime();
            for (Slot s : slots) {
                FrameConn c = s.conn;
                if (c != null && (closed || now - s.deadline > 0)) {
                    quietClose(c);
                }
            }
            if (closed) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    static void quietClose(FrameConn c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Ends every call in flight and closes every pooled connection. */
    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) {
            w.closeIdle();
        }
        try {
            watchdog.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One nginx worker: keepalive pool and token LRU. Used by several threads at once (its requests). */
    final class Worker {
        private final ArrayDeque<FrameConn> idle = new ArrayDeque<>();
        private Map<Integer, Long> lru = newLru();

        private Map<Integer, Long> newLru() {
            return new LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<Integer, Long> eldest) {
                    return size() > LRU_SIZE;
                }
            };
        }

        /** A pooled connection (most recently pooled first) that is still idle, else a new one. */
        FrameConn connect() throws IOException {
            while (true) {
                FrameConn c;
                synchronized (idle) {
                    c = idle.pollFirst();
                }
                if (c == null) {
                    break;
                }
                if (c.stillIdle()) {
                    return c;
                }
                quietClose(c);
            }
            try {
                return FrameConn.connect(socket, CONNECT_TIMEOUT_MS);
            } catch (IOException e) {
                throw new IOException("failed to connect to the unix socket: " + e.getMessage(), e);
            }
        }

        /** setkeepalive: into the pool unless unread bytes are buffered; the pool keeps the 32 most recent. */
        void keepalive(FrameConn c) {
            if (closed || c.hasUnread()) {
                quietClose(c);
                return;
            }
            FrameConn evicted = null;
            synchronized (idle) {
                idle.addFirst(c);
                if (idle.size() > POOL_SIZE) {
                    evicted = idle.pollLast();
                }
            }
            if (evicted != null) {
                quietClose(evicted);
            }
        }

        /** The route's token: this worker's LRU, else the PrepareConf step on a second connection. */
        long token(Route route) throws IOException, TokenNotFound {
            synchronized (this) {
                Long t = lru.get(route.index());
                if (t != null) {
                    return t;
                }
            }
            FrameConn pc = connect();
            boolean pooled = false;
            try {
                long token = prepareStep(pc, route);
                keepalive(pc);
                pooled = true;
                synchronized (this) {
                    lru.put(route.index(), token);
                }
                return token;
            } finally {
                if (!pooled) {
                    quietClose(pc);
                }
            }
        }

        synchronized void resetLru() {
            lru = newLru();
        }

        void closeIdle() {
            synchronized (idle) {
                for (FrameConn c : idle) {
                    quietClose(c);
                }
                idle.clear();
            }
        }
    }
}
