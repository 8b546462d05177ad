package io.github.a6sdk.benchmarks.load;

import io.github.api7.A6.ExtraInfo.Req;
import io.github.api7.A6.ExtraInfo.Var;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * Closed-loop load over a real unix socket, the same for every runner: C connections, each one
 * call at a time (as an APISIX worker uses a pooled connection), PrepareConf on its own short
 * connection, ExtraInfo questions answered as they arrive, every reply checked, latency in
 * HdrHistogram, the server's CPU from /proc over the measured window only.
 *
 * <pre>java -cp benchmarks.jar io.github.a6sdk.benchmarks.load.LoadGen --socket /tmp/r.sock --pid 1234 \
 *     --scenario say --connections 16 --warmup 3 --measure 7</pre>
 */
public final class LoadGen {

    /** What to run. Durations in milliseconds. */
    public static final class Options {
        public Path socket;
        public long pid = -1;
        public String scenario = "noop";
        public int connections = 16;
        public long warmupMs = 3000;
        public long measureMs = 7000;
        /** When > 0: run exactly this many calls (no warm-up) instead of a timed window. */
        public long fixedCalls;
        public int headers = 10;
        public int routes = 1;
        public int bodyBytes = 64;
        public String remoteAddr = "127.0.0.1";
        /**
         * Connect before each call and close after it, as APISIX does beyond its 32 idle pooled
         * connections per worker (PrepareConf is made beforehand, as usual).
         */
        public boolean newConnectionPerCall;
        /**
         * When > 0: the pooled connections are driven by this many selector threads (non-blocking, as
         * an nginx worker drives its cosockets) instead of a thread each, so that hundreds of
         * connections cost the client what they cost APISIX rather than a context switch per call.
         */
        public int clientLoops;

        public Options copy() {
            Options o = new Options();
            o.socket = socket;
            o.pid = pid;
            o.scenario = scenario;
            o.connections = connections;
            o.warmupMs = warmupMs;
            o.measureMs = measureMs;
            o.fixedCalls = fixedCalls;
            o.headers = headers;
            o.routes = routes;
            o.bodyBytes = bodyBytes;
            o.remoteAddr = remoteAddr;
            o.newConnectionPerCall = newConnectionPerCall;
            o.clientLoops = clientLoops;
            return o;
        }
    }

    private static final AtomicLong KEYS = new AtomicLong();
    private static final String RUN = Long.toString(System.currentTimeMillis(), 36);

    private LoadGen() {}

    /** A fresh PrepareConf key per distinct config (the Go runner reuses the token of a repeated key). */
    static String freshKey(String scenario) {
        return "route#bench-" + RUN + "-" + KEYS.incrementAndGet() + "#ext-plugin-pre-req#" + scenario;
    }

    /** Prepares {@code n} distinct routes of the scenario's conf, in parallel on short connections. */
    static long[] prepare(Path socket, Scenario s, int n) throws IOException {
        long[] tokens = new long[n];
        if (n == 1) {
            tokens[0] = Wire.prepareConf(socket, freshKey(s.name), s.conf);
            return tokens;
        }
        int threads = Math.min(4, n);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int from = t;
                fs.add(pool.submit(() -> {
                    for (int i = from; i < n; i += threads) {
                        tokens[i] = Wire.prepareConf(socket, freshKey(s.name), s.conf);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return tokens;
    }

    public static List<String[]> requestHeaders(int n) {
        String[][] base = {
            {"host", "api.example.com"}, {"user-agent", "curl/8.5.0"}, {"accept", "*/*"},
            {"x-request-id", "5f0c6a3e-8a43-4a61-9b2b-8c7c1c1f3a10"}, {"content-type", "application/json"},
            {"content-length", "64"}, {"x-forwarded-for", "203.0.113.7"}, {"accept-encoding", "gzip"},
            {"authorization", "Bearer abcdefghijklmnopqrstuvwxyz012345"}, {"x-real-ip", "203.0.113.7"},
        };
        List<String[]> h = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            h.add(i < base.length ? base[i] : new String[] {"x-h-" + i, "value-" + i + "-abcdefgh"});
        }
        return h;
    }

    public static List<String[]> upstreamHeaders() {
        return List.of(new String[] {"Content-Type", "text/plain"}, new String[] {"Content-Length", "5"},
                new String[] {"Server", "upstream"}, new String[] {"Date", "Wed, 25 Nov 2026 12:00:00 GMT"},
                new String[] {"X-Upstream", "1"}, new String[] {"Cache-Control", "no-cache"});
    }

    /** Shared state of one run. */
    static final class Control {
        volatile boolean stop;
        volatile long measureStart = Long.MAX_VALUE;
        volatile long measureEnd = Long.MAX_VALUE;
        final AtomicLong remaining = new AtomicLong(Long.MAX_VALUE);
        final AtomicLong errors = new AtomicLong();
        final AtomicReference<String> firstError = new AtomicReference<>();

        void error(String what) {
            errors.incrementAndGet();
            firstError.compareAndSet(null, what);
        }
    }

    /**
     * One connection's closed loop: run by a thread of its own ({@link #run}), or by a {@link ClientLoop}
     * through {@link #nextCall}, {@link #answerFor} and {@link #done}.
     */
    static final class Worker implements Runnable {
        final Options o;
        final Scenario s;
        final Control ctl;
        final long[] tokens;
        final int index;
        final Histogram hist = new Histogram(3_600_000_000_000L, 3);
        long calls;
        final CountDownLatch ready;
        final CountDownLatch go;
        long lastEnd;
        long maxCalls = Long.MAX_VALUE;

        private final Scenario.Checker checker;
        private final ByteBuffer template;
        private final int idPos;
        private final int tokenPos;
        private final int rpcType;
        private final ByteBuffer varAnswer;
        private final ByteBuffer absentAnswer;
        private final ByteBuffer bodyAnswer;
        private final Req info = new Req();
        private final Var var = new Var();
        private FrameConn conn;
        private long seq;
        private int tokenIndex;
        private int stride;
        private final long idBase;
        private long made;

        Worker(Options o, Scenario s, Control ctl, long[] tokens, int index, CountDownLatch ready, CountDownLatch go) {
            this.o = o;
            this.s = s;
            this.ctl = ctl;
            this.tokens = tokens;
            this.index = index;
            this.ready = ready;
            this.go = go;
            this.checker = new Scenario.Checker(o.remoteAddr, o.bodyBytes);
            if (s.responsePhase) {
                template = Wire.respCall(tokens[0], 200, upstreamHeaders());
                rpcType = Wire.HTTP_RESP_CALL;
                tokenPos = fieldPosition(template, 3);
            } else {
                template = Wire.reqCall(tokens[0], new byte[] {127, 0, 0, 1}, 0, "/hello/world",
                        List.of(new String[] {"a", "1"}, new String[] {"b", "two"}), requestHeaders(o.headers));
                rpcType = Wire.HTTP_REQ_CALL;
                tokenPos = fieldPosition(template, 6);
            }
            idPos = Wire.idPosition(template);
            varAnswer = Wire.extraInfoAnswer(Wire.utf8(o.remoteAddr));
            absentAnswer = Wire.extraInfoAnswer(null);
            byte[] body = new byte[o.bodyBytes];
            java.util.Arrays.fill(body, (byte) 'b');
            bodyAnswer = Wire.extraInfoAnswer(body);
            tokenIndex = index % tokens.length;
            stride = tokens.length > 1 ? 7919 % tokens.length : 0;
            if (stride == 0 && tokens.length > 1) {
                stride = 1;
            }
            idBase = ((long) index & 0x3FF) << 22;
        }

        /** The call frame's type. */
        int rpcType() {
            return rpcType;
        }

        /** The next call's payload (valid until the next call). */
        ByteBuffer template() {
            return template;
        }

        /** Sets up the next call in {@link #template()}; returns its id, or -1 when the run is over. */
        long nextCall() {
            if (ctl.stop || made++ >= maxCalls || ctl.remaining.decrementAndGet() < 0) {
                return -1;
            }
            long id = idBase + 1 + (seq++ % 0x3FFFFE);
            template.putInt(idPos, (int) id);
            if (tokens.length > 1) {
                template.putInt(tokenPos, (int) tokens[tokenIndex]);
                tokenIndex += stride;
                if (tokenIndex >= tokens.length) {
                    tokenIndex -= tokens.length;
                }
            }
            return id;
        }

        /** A call's reply arrived: checks it and, inside the measured window, records its latency. */
        void done(int type, ByteBuffer payload, long id, long t0, long t1) {
            lastEnd = t1;
            String err = checker.check(s, type, payload, id);
            if (err != null) {
                ctl.error(err);
                return;
            }
            if (t0 >= ctl.measureStart && t1 <= ctl.measureEnd) {
                hist.recordValue(t1 - t0);
                calls++;
            }
        }

        static int fieldPosition(ByteBuffer p, int slot) {
            int table = p.getInt(0);
            int vtable = table - p.getInt(table);
            int off = p.getShort(vtable + 4 + 2 * slot) & 0xFFFF;
            if (off == 0) {
                throw new IllegalStateException("field " + slot + " missing from template");
            }
            return table + off;
        }

        @Override
        public void run() {
            if (!o.newConnectionPerCall) {
                try {
                    conn = FrameConn.connect(o.socket);
                } catch (IOException e) {
                    ctl.error("connect: " + e);
                    ready.countDown();
                    return;
                }
            }
            ready.countDown();
            try {
                go.await();
            } catch (InterruptedException e) {
                return;
            }
            try {
                long id;
                while ((id = nextCall()) >= 0) {
                    long t0 = System.nanoTime();
                    int type;
                    try {
                        if (o.newConnectionPerCall) {
                            conn = FrameConn.connect(o.socket, conn);
                        }
                        conn.write(rpcType, template);
                        while ((type = conn.read()) == Wire.EXTRA_INFO) {
                            conn.write(Wire.EXTRA_INFO, answerFor(conn.payload()));
                        }
                        if (o.newConnectionPerCall) {
                            conn.close(); // the reply's payload stays readable: it is in our buffer
                        }
                    } catch (IOException e) {
                        if (s.expect == Scenario.Expect.FAIL) {
                            // a runner that closes the connection instead of an error frame (the Go runner on a panic)
                            reconnect();
                            continue;
                        }
                        if (ctl.stop) {
                            break;
                        }
                        ctl.error("I/O: " + e.getMessage());
                        reconnect();
                        continue;
                    }
                    done(type, conn.payload(), id, t0, System.nanoTime());
                }
            } finally {
                try {
                    if (conn != null) {
                        conn.close();
                    }
                } catch (IOException ignored) {
                    // done
                }
            }
        }

        private void reconnect() {
            if (o.newConnectionPerCall) {
                return; // the next call connects anyway
            }
            try {
                conn.close();
            } catch (IOException ignored) {
                // replaced below
            }
            try {
                conn = FrameConn.connect(o.socket);
            } catch (IOException e) {
                ctl.error("reconnect: " + e);
                ctl.stop = true;
            }
        }

        /** The answer to one ExtraInfo question, as APISIX gives it (docs/protocol.md 6). */
        ByteBuffer answerFor(ByteBuffer question) throws IOException {
            Req r = Req.getRootAsReq(question, info);
            ByteBuffer a;
            switch (r.infoType()) {
                case 1: {
                    Var v = (Var) r.info(var);
                    a = v != null && "remote_addr".equals(v.name()) ? varAnswer : absentAnswer;
                    break;
                }
                case 2:
                    a = bodyAnswer;
                    break;
                case 3:
                    a = s.responsePhase ? bodyAnswer : absentAnswer;
                    break;
                default:
                    ctl.error("unsupported ExtraInfo type " + r.infoType());
                    throw new IOException("unsupported info type");
            }
            return a;
        }
    }

    /** Runs one cell and returns its result. */
    public static Result run(Options o) throws IOException {
        if (o.clientLoops > 0 && o.newConnectionPerCall) {
            throw new IllegalArgumentException("--client-loops drives pooled connections: leave out --new-connection-per-call");
        }
        Scenario s = Scenario.of(o.scenario);
        long[] tokens = prepare(o.socket, s, o.routes);
        Control ctl = new Control();
        CountDownLatch ready = new CountDownLatch(o.connections);
        CountDownLatch go = new CountDownLatch(1);
        List<Worker> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        if (o.fixedCalls > 0) {
            ctl.remaining.set(o.fixedCalls);
            ctl.measureStart = 0;
        }
        for (int i = 0; i < o.connections; i++) {
            workers.add(new Worker(o, s, ctl, tokens, i, ready, go));
        }
        if (o.clientLoops > 0) {
            int loops = Math.min(o.clientLoops, o.connections);
            for (int l = 0; l < loops; l++) {
                List<Worker> mine = new ArrayList<>();
                for (int i = l; i < workers.size(); i += loops) {
                    mine.add(workers.get(i));
                }
                threads.add(new Thread(new ClientLoop(o.socket, mine, ctl, ready, go, s.expect == Scenario.Expect.FAIL),
                        "load-loop-" + l));
            }
        } else {
            for (Worker w : workers) {
                threads.add(new Thread(null, w, "load-" + w.index, 256 * 1024));
            }
        }
        for (Thread t : threads) {
            t.setDaemon(true);
            t.start();
        }
        try {
            ready.await();
            long self = ProcessHandle.current().pid();
            long cpu0;
            long client0;
            long start;
            if (o.fixedCalls > 0) {
                client0 = ProcStat.cpuNanos(self);
                cpu0 = ProcStat.cpuNanos(o.pid);
                start = System.nanoTime();
                go.countDown();
                for (Thread t : threads) {
                    t.join();
                }
            } else {
                go.countDown();
                Thread.sleep(o.warmupMs);
                client0 = ProcStat.cpuNanos(self);
                cpu0 = ProcStat.cpuNanos(o.pid);
                start = System.nanoTime();
                ctl.measureStart = start;
                Thread.sleep(o.measureMs);
                ctl.measureEnd = System.nanoTime();
            }
            long end = o.fixedCalls > 0 ? System.nanoTime() : ctl.measureEnd;
            long cpu1 = ProcStat.cpuNanos(o.pid);
            long client1 = ProcStat.cpuNanos(self);
            ctl.stop = true;
            for (Thread t : threads) {
                t.join(10_000);
            }
            Histogram all = new Histogram(3_600_000_000_000L, 3);
            long calls = 0;
            for (Worker w : workers) {
                all.add(w.hist);
                calls += w.calls;
            }
            long cpu = cpu0 < 0 || cpu1 < 0 ? -1 : cpu1 - cpu0;
            return new Result(s.name, o.connections, calls, (end - start) / 1e9, all, cpu, ctl.errors.get(),
                    ctl.firstError.get(), client0 < 0 || client1 < 0 ? -1 : client1 - client0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            ctl.stop = true;
        }
    }

    /**
     * Opens {@code connections} connections, then has each make exactly one call at the same instant;
     * returns the time until the last reply in ms (the sleep test). Errors are returned as a negative value.
     */
    public static double burst(Options o) throws IOException {
        Scenario s = Scenario.of(o.scenario);
        long[] tokens = prepare(o.socket, s, 1);
        Control ctl = new Control();
        ctl.remaining.set(o.connections);
        CountDownLatch ready = new CountDownLatch(o.connections);
        CountDownLatch go = new CountDownLatch(1);
        List<Worker> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        ctl.measureStart = 0;
        for (int i = 0; i < o.connections; i++) {
            Worker w = new Worker(o, s, ctl, tokens, i, ready, go);
            w.maxCalls = 1;
            workers.add(w);
            Thread t = new Thread(w, "burst-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        try {
            ready.await();
            long start = System.nanoTime();
            go.countDown();
            for (Thread t : threads) {
                t.join(60_000);
            }
            long last = 0;
            long calls = 0;
            for (Worker w : workers) {
                last = Math.max(last, w.lastEnd);
                calls += w.calls;
            }
            if (ctl.errors.get() > 0 || calls != o.connections) {
                System.err.println("burst: " + calls + " of " + o.connections + " calls right; first error: "
                        + ctl.firstError.get());
                return -1;
            }
            return (last - start) / 1e6;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--socket": o.socket = Path.of(v); i++; break;
                case "--pid": o.pid = Long.parseLong(v); i++; break;
                case "--scenario": o.scenario = v; i++; break;
                case "--connections": o.connections = Integer.parseInt(v); i++; break;
                case "--warmup": o.warmupMs = (long) (Double.parseDouble(v) * 1000); i++; break;
                case "--measure": o.measureMs = (long) (Double.parseDouble(v) * 1000); i++; break;
                case "--calls": o.fixedCalls = Long.parseLong(v); i++; break;
                case "--headers": o.headers = Integer.parseInt(v); i++; break;
                case "--routes": o.routes = Integer.parseInt(v); i++; break;
                case "--new-connection-per-call": o.newConnectionPerCall = true; break;
                case "--client-loops": o.clientLoops = Integer.parseInt(v); i++; break;
                case "--body-bytes": o.bodyBytes = Integer.parseInt(v); i++; break;
                default:
                    System.err.println("usage: LoadGen --socket PATH [--pid N] [--scenario noop|say|rewrite|vars|respmod|sleep"
                            + "|throw|chainN] [--connections C] [--warmup s] [--measure s] [--calls N] [--headers N]"
                            + " [--routes N] [--body-bytes N] [--new-connection-per-call | --client-loops N]");
                    System.exit(2);
            }
        }
        if (o.socket == null) {
            System.err.println("--socket is required");
            System.exit(2);
        }
        if (o.scenario.equals("sleep")) {
            System.out.println(String.format(Locale.ROOT, "sleep burst of %d: %.1f ms", o.connections, burst(o)));
            return;
        }
        Result r = run(o);
        System.out.println(r);
        System.exit(r.errors() == 0 ? 0 : 1);
    }

    static ByteBuffer le(ByteBuffer b) {
        return b.order(ByteOrder.LITTLE_ENDIAN);
    }
}
