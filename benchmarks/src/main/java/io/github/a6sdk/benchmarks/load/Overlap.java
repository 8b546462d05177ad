package io.github.a6sdk.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runner restarts as APISIX makes them (issue 12), measured with {@link ApisixLikeClient}:
 *
 * <ul>
 *   <li><b>overlap</b>: load on {@code threads} client threads throughout; runner A serves socket P;
 *       after the warm-up runner B (a new process of the same runner) is started on P while A serves,
 *       as the new privileged agent does on {@code apisix reload}; {@code D} later A gets SIGTERM (the
 *       old agent's {@code exit_worker}) and SIGKILL 1 s after that if still alive; when B exits, it
 *       is started again 3 s later (the new agent's respawn). The load runs on for {@code after}
 *       after the SIGTERM, then the socket is checked.
 *   <li><b>tokens</b>: A prepares {@code routes} routes and is stopped; B, on the same path,
 *       prepares as many other routes; A's tokens are then sent to B. Each must be answered
 *       CONF_TOKEN_NOT_FOUND; another route's chain is a wrong answer.
 * </ul>
 */
final class Overlap {

    /** Durations in milliseconds. */
    static final class Options {
        List<Long> delaysMs = List.of(100L, 1000L);
        int threads = 16;
        int workers = 2;
        int routes = 32;
        long warmupMs = 2000;
        long afterMs = 6000;
        long killAfterMs = 1000;
        long respawnMs = 3000;
        long timeoutMs = 60_000;
        /** Pause of a client thread after a failed call (an APISIX 503 is not free; see the README). */
        long failPauseMs = 1;
        /** How long B's start is held back (a loaded host, a start hook that connects somewhere): 0 = none. */
        List<Long> holdBacksMs = List.of(0L);
        /** Runs of each cell. */
        int runs = 1;
    }

    /** One overlap run. */
    record Cell(String runner, long delayMs, long holdBackMs, long ok, long failed, long wrong, long tokenNotFound,
            double gapMs, double gapStartS, double bBindMs, boolean pathExists, String served, String aExit, String bExit,
            int respawns, String notes) {}

    /** One token run. */
    record TokenCell(String runner, int sent, int notFound, int wrong, int other, String notes) {}

    private Overlap() {}

    static List<ApisixLikeClient.Route> routes(int n, int first, String version) {
        List<ApisixLikeClient.Route> r = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            r.add(ApisixLikeClient.Route.say(first + i, version));
        }
        return r;
    }

    /** The overlap sequence for one runner and one delay D between B's start and A's SIGTERM. */
    static Cell overlap(RunnerProcess.Spec spec, Path base, long delayMs, long holdBackMs, Options o)
            throws IOException, InterruptedException {
        Path dir = Files.createDirectories(base.resolve("overlap-" + spec.label() + "-" + delayMs + "ms-" + holdBackMs));
        Path p = dir.resolve("runner.sock");
        Files.deleteIfExists(p);
        List<RunnerProcess> started = new CopyOnWriteArrayList<>();
        RunnerProcess a = RunnerProcess.launch(spec, dir, p, "A");
        started.add(a);
        ApisixLikeClient client = new ApisixLikeClient(p, o.timeoutMs);
        Supervisor sup = null;
        PathWatch watch = null;
        try {
            a.awaitReady(60_000);
            List<ApisixLikeClient.Route> routes = routes(o.routes, 0, "1");
            Load load = new Load(client, routes, o);
            watch = new PathWatch(p);
            watch.start();
            long t0 = System.nanoTime();
            client.startClock(t0);
            load.start();
            Thread.sleep(o.warmupMs);

            sup = new Supervisor(holdBackMs > 0 ? heldBack(spec, holdBackMs) : spec, dir, p, o.respawnMs, started);
            long bLaunched = System.nanoTime();
            sup.start();
            Thread.sleep(delayMs);

            long tTerm = System.nanoTime();
            a.process.destroy(); // SIGTERM
            boolean aKilled = false;
            if (!a.process.waitFor(o.killAfterMs, TimeUnit.MILLISECONDS)) {
                a.process.destroyForcibly(); // SIGKILL
                aKilled = true;
                a.process.waitFor(5, TimeUnit.SECONDS);
            }
            long left = o.afterMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - tTerm);
            if (left > 0) {
                Thread.sleep(left);
            }
            double gapMs = client.stopClock(System.nanoTime()) / 1e6;
            load.stop();
            sup.stopRespawning();
            double gapStartS = (client.longestGapStartNanos() - tTerm) / 1e9;
            long bound = watch.firstChange();
            double bBindMs = bound < 0 ? Double.NaN : (bound - bLaunched) / 1e6;
            long aborted = load.join(3000, client);

            boolean exists = Files.exists(p, LinkOption.NOFOLLOW_LINKS);
            String served = served(p);
            String aExit = a.process.isAlive() ? "running" : exit(a.process.exitValue()) + (aKilled ? ", SIGKILL at +1 s" : "");
            RunnerProcess b = sup.first();
            String bExit = b == null ? "not started" : b.process.isAlive() ? "running" : exit(b.process.exitValue());
            StringBuilder notes = new StringBuilder();
            if (b != null && !b.process.isAlive()) {
                notes.append("B: ").append(quote(b.lastLogLine())).append(". ");
            }
            RunnerProcess last = sup.last();
            if (last != null && last != b) {
                notes.append("last respawned B ").append(last.process.isAlive() ? "running" : exit(last.process.exitValue()))
                        .append(". ");
            }
            notes.append("P: ").append(watch.timeline(tTerm)).append(". ");
            notes.append(topFailures(client.failures));
            if (client.firstWrong.get() != null) {
                notes.append(" First wrong answer: ").append(client.firstWrong.get()).append('.');
            }
            if (aborted > 0) {
                notes.append(" ").append(aborted).append(" calls still in flight at the end (not counted).");
            }
            Cell c = new Cell(spec.label(), delayMs, holdBackMs, client.ok.sum(), client.failed.sum(), client.wrong.sum(),
                    client.tokenNotFound.sum(), gapMs, gapStartS, bBindMs, exists, served, aExit, bExit, sup.respawns(),
                    notes.toString().trim());
            System.err.println(String.format(Locale.ROOT, "  [%s overlap %d ms, B held back %d ms] ok %d, failed %d, wrong %d,"
                    + " token-not-found %d, longest gap %.0f ms from %+.2f s; B bound %.0f ms after its launch; P %s, served %s;"
                    + " A %s; B %s; %s", c.runner(), delayMs, holdBackMs, c.ok(), c.failed(), c.wrong(), c.tokenNotFound(), gapMs,
                    gapStartS, bBindMs, exists ? "exists" : "missing", served, aExit, bExit, c.notes()));
            return c;
        } finally {
            client.close();
            if (watch != null) {
                watch.interrupt();
            }
            if (sup != null) {
                sup.stopRespawning();
                sup.join(5000);
            }
            stopAll(started);
            Files.deleteIfExists(p);
        }
    }

    /** {@code spec} started {@code ms} later than asked: {@code sh -c 'sleep S; exec cmd...'} (the pid stays the runner's). */
    static RunnerProcess.Spec heldBack(RunnerProcess.Spec spec, long ms) {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "sleep " + String.format(Locale.ROOT, "%.3f", ms / 1000.0)
                + "; exec \"$@\"", "sh"));
        cmd.addAll(spec.command());
        return new RunnerProcess.Spec(spec.label(), cmd, spec.env(), spec.artifact());
    }

    /** A new connection and a PrepareConf on P: "yes", or "no (why)". */
    static String served(Path p) {
        try (ApisixLikeClient probe = new ApisixLikeClient(p, 2000)) {
            probe.prepareFresh(ApisixLikeClient.Route.say(0, "probe"));
            return "yes";
        } catch (IOException e) {
            return "no (" + e.getMessage() + ")";
        }
    }

    /** The token cell: A's tokens sent to B after a plain restart on the same path. */
    static TokenCell tokens(RunnerProcess.Spec spec, Path base, int n) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(base.resolve("tokens-" + spec.label()));
        Path p = dir.resolve("runner.sock");
        Files.deleteIfExists(p);
        List<RunnerProcess> started = new ArrayList<>();
        try (ApisixLikeClient client = new ApisixLikeClient(p, 5000)) {
            RunnerProcess a = RunnerProcess.launch(spec, dir, p, "A");
            started.add(a);
            a.awaitReady(60_000);
            long[] old = new long[n];
            List<ApisixLikeClient.Route> routesA = routes(n, 0, "a");
            for (int i = 0; i < n; i++) {
                old[i] = client.prepareFresh(routesA.get(i));
            }
            int rightOnA = 0;
            for (int i = 0; i < n; i++) {
                rightOnA += routesA.get(i).body().equals(client.probe(old[i])) ? 1 : 0;
            }
            a.process.destroy();
            if (!a.process.waitFor(1, TimeUnit.SECONDS)) {
                a.process.destroyForcibly();
                a.process.waitFor(5, TimeUnit.SECONDS);
            }
            RunnerProcess b = RunnerProcess.launch(spec, dir, p, "B");
            started.add(b);
            b.awaitReady(60_000);
            for (ApisixLikeClient.Route r : routes(n, n, "b")) {
                client.prepareFresh(r);
            }
            int notFound = 0;
            int wrong = 0;
            int other = 0;
            String firstWrong = null;
            String firstOther = null;
            for (int i = 0; i < n; i++) {
                String answer = client.probe(old[i]);
                if (answer.equals("CONF_TOKEN_NOT_FOUND")) {
                    notFound++;
                } else if (answer.startsWith("route-")) {
                    wrong++;
                    firstWrong = firstWrong == null ? "route-" + i + "'s token answered by " + answer : firstWrong;
                } else {
                    other++;
                    firstOther = firstOther == null ? "route-" + i + "'s token: " + answer : firstOther;
                }
            }
            String notes = (rightOnA == n ? "" : "only " + rightOnA + " of " + n + " right on A. ")
                    + (firstWrong == null ? "" : "e.g. " + firstWrong + ". ") + (firstOther == null ? "" : firstOther + ".");
            TokenCell c = new TokenCell(spec.label(), n, notFound, wrong, other, notes.trim());
            System.err.println("  [" + c.runner() + " tokens] " + n + " old tokens sent to B: " + notFound + " CONF_TOKEN_NOT_FOUND, "
                    + wrong + " another route's chain, " + other + " other. " + c.notes());
            return c;
        } finally {
            stopAll(started);
            Files.deleteIfExists(p);
        }
    }

    static String exit(int code) {
        return code > 128 ? "exit " + code + " (signal " + (code - 128) + ")" : "exit " + code;
    }

    private static String quote(String logLine) {
        String s = logLine.length() > 160 ? logLine.substring(0, 160) + "…" : logLine;
        return s.isEmpty() ? "no output" : "\"" + s.replace("|", "\\|") + "\"";
    }

    static String topFailures(Map<String, LongAdder> failures) {
        if (failures.isEmpty()) {
            return "";
        }
        List<Map.Entry<String, LongAdder>> list = new ArrayList<>(failures.entrySet());
        list.sort(Comparator.comparingLong((Map.Entry<String, LongAdder> e) -> e.getValue().sum()).reversed());
        StringBuilder sb = new StringBuilder("Failures: ");
        for (int i = 0; i < Math.min(3, list.size()); i++) {
            sb.append(i == 0 ? "" : "; ").append(list.get(i).getValue().sum()).append(" × ")
                    .append(list.get(i).getKey().replace("|", "\\|"));
        }
        return sb.append('.').toString();
    }

    /** SIGTERM to every process still alive, SIGKILL 1 s later (APISIX's stop). */
    static void stopAll(List<RunnerProcess> ps) throws InterruptedException {
        for (RunnerProcess r : ps) {
            r.process.destroy();
        }
        for (RunnerProcess r : ps) {
            if (!r.process.waitFor(1, TimeUnit.SECONDS)) {
                r.process.destroyForcibly();
                r.process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** The load: threads × closed loop through the APISIX-like client, a random route per call. */
    private static final class Load {
        private final ApisixLikeClient client;
        private final List<ApisixLikeClient.Route> routes;
        private final List<Thread> threads = new ArrayList<>();
        private final LongAdder aborted = new LongAdder();
        private final long failPauseMs;
        private volatile boolean stop;

        Load(ApisixLikeClient client, List<ApisixLikeClient.Route> routes, Options o) {
            this.client = client;
            this.routes = routes;
            this.failPauseMs = o.failPauseMs;
            List<ApisixLikeClient.Worker> workers = new ArrayList<>();
            for (int i = 0; i < o.workers; i++) {
                workers.add(client.worker());
            }
            for (int i = 0; i < o.threads; i++) {
                ApisixLikeClient.Worker w = workers.get(i % workers.size());
                int idBase = i << 24;
                Thread t = new Thread(() -> loop(w, idBase), "apisix-like-" + i);
                t.setDaemon(true);
                threads.add(t);
            }
        }

        private void loop(ApisixLikeClient.Worker w, int idBase) {
            int seq = 0;
            while (!stop) {
                ApisixLikeClient.Route r = routes.get(ThreadLocalRandom.current().nextInt(routes.size()));
                seq = (seq + 1) & 0xFFFFFF;
                ApisixLikeClient.Outcome outcome = client.call(w, r, idBase | seq);
                if (outcome == ApisixLikeClient.Outcome.ABORTED) {
                    aborted.increment();
                } else if (outcome == ApisixLikeClient.Outcome.FAILED && failPauseMs > 0) {
                    try {
                        Thread.sleep(failPauseMs);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }

        void start() {
            threads.forEach(Thread::start);
        }

        void stop() {
            stop = true;
        }

        /** Waits for the calls in flight; after {@code graceMs} the client ends the rest. Returns how many were cut. */
        long join(long graceMs, ApisixLikeClient client) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMs);
            for (Thread t : threads) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
            client.close();
            for (Thread t : threads) {
                t.join(2000);
            }
            return aborted.sum();
        }
    }

    /** Polls the socket path's identity every millisecond: when it is replaced or removed, and when it comes back. */
    private static final class PathWatch extends Thread {
        private final Path path;
        private final List<long[]> events = new CopyOnWriteArrayList<>();
        private static final int MAX_EVENTS = 12;

        PathWatch(Path path) {
            super("apisix-like-path-watch");
            setDaemon(true);
            this.path = path;
        }

        @Override
        public void run() {
            long last = inode();
            while (!isInterrupted() && events.size() < MAX_EVENTS) {
                long now = inode();
                if (now != last) {
                    events.add(new long[] {System.nanoTime(), now});
                    last = now;
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** When another file first appeared at P (System.nanoTime), or -1. */
        long firstChange() {
            for (long[] e : events) {
                if (e[1] >= 0) {
                    return e[0];
                }
            }
            return -1;
        }

        /** The inode at P, or -1 when nothing is there. */
        private long inode() {
            try {
                return ((Number) Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        /** "A's file; another file at -0.05 s; missing at +0.42 s; ..." with times relative to {@code t0}. */
        String timeline(long t0) {
            StringBuilder sb = new StringBuilder("A's file");
            for (long[] e : events) {
                sb.append(String.format(Locale.ROOT, "; %s at %+.2f s", e[1] < 0 ? "missing" : "another file",
                        (e[0] - t0) / 1e9));
            }
            return sb.toString();
        }
    }

    /** The new privileged agent: starts B, and starts it again {@code respawnMs} after each exit. */
    private static final class Supervisor extends Thread {
        private final RunnerProcess.Spec spec;
        private final Path dir;
        private final Path socket;
        private final long respawnMs;
        private final List<RunnerProcess> started;
        private final List<RunnerProcess> bs = new CopyOnWriteArrayList<>();
        private volatile boolean stopped;

        Supervisor(RunnerProcess.Spec spec, Path dir, Path socket, long respawnMs, List<RunnerProcess> started) {
            super("apisix-like-agent");
            setDaemon(true);
            this.spec = spec;
            this.dir = dir;
            this.socket = socket;
            this.respawnMs = respawnMs;
            this.started = started;
        }

        @Override
        public void run() {
            try {
                while (!stopped) {
                    RunnerProcess b;
                    synchronized (this) {
                        if (stopped) {
                            return;
                        }
                        b = RunnerProcess.launch(spec, dir, socket, bs.isEmpty() ? "B" : "B" + (bs.size() + 1));
                        bs.add(b);
                        started.add(b);
                    }
                    b.process.waitFor();
                    if (stopped) {
                        return;
                    }
                    System.err.println("  runner exited with status " + b.process.exitValue() + "; respawn in " + respawnMs + " ms");
                    Thread.sleep(respawnMs);
                }
            } catch (InterruptedException | IOException e) {
                // stopped, or cannot start the runner: the cell reports what is there
            }
        }

        synchronized void stopRespawning() {
            stopped = true;
            interrupt();
        }

        RunnerProcess first() {
            return bs.isEmpty() ? null : bs.get(0);
        }

        RunnerProcess last() {
            return bs.isEmpty() ? null : bs.get(bs.size() - 1);
        }

        int respawns() {
            return Math.max(0, bs.size() - 1);
        }
    }

    // ---------------------------------------------------------------- report

    static String report(List<Cell> cells, List<TokenCell> tokens, Options o) {
        StringBuilder md = new StringBuilder();
        if (!cells.isEmpty()) {
            md.append("### Runner restart under load: reload overlap\n\n");
            md.append(String.format(Locale.ROOT, "APISIX-like client (%d threads on %d workers, back to back: keepalive pool,"
                    + " token caches, CONF_TOKEN_NOT_FOUND retries as APISIX), %d `say` routes each answering its own name."
                    + " Runner A serves P; after %.0f s of load runner B starts on P (held back: B's process starts that much"
                    + " later, as on a loaded host or with a slow start hook); D later A gets SIGTERM (SIGKILL %.0f s later if"
                    + " alive); B is respawned %.0f s after it exits; load for %.0f s after the SIGTERM; a client thread pauses"
                    + " %d ms after a failed call. B bind: from B's launch until P changed. Longest gap: longest time with no"
                    + " successful call.%n%n",
                    o.threads, o.workers, o.routes, o.warmupMs / 1000.0, o.killAfterMs / 1000.0, o.respawnMs / 1000.0,
                    o.afterMs / 1000.0, o.failPauseMs));
            // One row per (runner, D, hold-back): the runs summed, each run's failed calls listed.
            Map<String, List<Cell>> groups = new java.util.LinkedHashMap<>();
            for (Cell c : cells) {
                groups.computeIfAbsent(c.runner() + "|" + c.delayMs() + "|" + c.holdBackMs(), k -> new ArrayList<>()).add(c);
            }
            md.append("| runner | D | B held back | runs | calls ok | failed calls | failed calls per run | wrong answers |"
                    + " token-not-found retries | B bind ms (median) | longest gap ms (max) | P served at end | A exits |\n");
            md.append("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---|\n");
            for (List<Cell> g : groups.values()) {
                Cell f = g.get(0);
                long ok = 0;
                long failed = 0;
                long wrong = 0;
                long tnf = 0;
                double gap = 0;
                double[] binds = new double[g.size()];
                List<String> perRun = new ArrayList<>();
                List<String> served = new ArrayList<>();
                List<String> aExits = new ArrayList<>();
                for (int i = 0; i < g.size(); i++) {
                    Cell c = g.get(i);
                    ok += c.ok();
                    failed += c.failed();
                    wrong += c.wrong();
                    tnf += c.tokenNotFound();
                    gap = Math.max(gap, c.gapMs());
                    binds[i] = c.bBindMs();
                    perRun.add(String.valueOf(c.failed()));
                    String sv = c.pathExists() ? c.served() : "**missing**";
                    if (!served.contains(sv)) {
                        served.add(sv);
                    }
                    if (!aExits.contains(c.aExit())) {
                        aExits.add(c.aExit());
                    }
                }
                md.append(String.format(Locale.ROOT, "| %s | %.1f s | %.1f s | %d | %,d | %,d | %s | %,d | %,d | %.0f | %,.0f | %s | %s |%n",
                        f.runner(), f.delayMs() / 1000.0, f.holdBackMs() / 1000.0, g.size(), ok, failed,
                        String.join(", ", perRun), wrong, tnf, Compare.median(binds), gap,
                        String.join("; ", served).replace("|", "\\|"), String.join("; ", aExits)));
            }
            md.append('\n');
            for (Cell c : cells) {
                if (!c.notes().isEmpty() && (c.failed() > 0 || c.wrong() > 0 || !c.pathExists())) {
                    md.append(String.format(Locale.ROOT, "- %s, D %.1f s, held back %.1f s: %s%n", c.runner(), c.delayMs() / 1000.0,
                            c.holdBackMs() / 1000.0, c.notes()));
                }
            }
            md.append('\n');
        }
        if (!tokens.isEmpty()) {
            md.append("### Old conf tokens after a restart (issue 12)\n\n");
            md.append("Runner A prepares the routes and is stopped; runner B on the same socket prepares as many other"
                    + " routes; A's tokens are then sent to B. Right: CONF_TOKEN_NOT_FOUND (APISIX prepares again)."
                    + " Wrong: another route's chain runs.\n\n");
            md.append("| runner | old tokens sent | CONF_TOKEN_NOT_FOUND (right) | another route's chain (wrong) | other | notes |\n");
            md.append("|---|---:|---:|---:|---:|---|\n");
            for (TokenCell t : tokens) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %s |%n", t.runner(), t.sent(), t.notFound(),
                        t.wrong(), t.other(), t.notes().replace("|", "\\|")));
            }
            md.append('\n');
        }
        return md.toString();
    }
}
