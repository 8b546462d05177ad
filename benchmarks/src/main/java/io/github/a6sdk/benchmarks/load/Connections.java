package io.github.a6sdk.benchmarks.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The connection cells: what APISIX does beyond its 32 idle pooled connections per worker (a new
 * connection for every call), hundreds to a thousand pooled connections, and a blocking plugin at
 * 256 clients, pooled and not. After each cell the runner's RSS and thread count are read; last,
 * 1,000 connections are opened at once and each makes one call. The 256 and 1,024 pooled cells run
 * twice: with a client thread per connection, and with two client event loops ("pooled-loop"), as
 * APISIX's nginx workers drive their connections (the first costs the client a context switch per
 * call, on the same cores as the runner).
 */
final class Connections {

    /** One measured cell of one runner. */
    record Cell(String runner, String cell, Result result, long rssKb, int threads) {}

    /** A cell: scenario, clients, a new connection per call or not, client event loops (0: a thread per connection). */
    private record Spec(String scenario, int clients, boolean newConnection, int clientLoops) {
        Spec(String scenario, int clients, boolean newConnection) {
            this(scenario, clients, newConnection, 0);
        }

        String name() {
            return scenario + (newConnection ? " new-conn " : clientLoops > 0 ? " pooled-loop " : " pooled ") + clients;
        }
    }

    /** Client event loops of the "pooled-loop" cells: one per nginx worker APISIX would run on these 2 cores. */
    static final int CLIENT_LOOPS = 2;

    private static final List<Spec> CELLS = List.of(
            new Spec("noop", 1, false), new Spec("noop", 16, false), new Spec("noop", 64, false),
            new Spec("say", 1, false), new Spec("say", 16, false), new Spec("say", 64, false),
            new Spec("say", 16, true), new Spec("say", 64, true),
            new Spec("sleep20", 256, false), new Spec("sleep20", 256, true),
            new Spec("noop", 256, false), new Spec("say", 256, false),
            new Spec("noop", 1024, false), new Spec("say", 1024, false),
            new Spec("noop", 256, false, CLIENT_LOOPS), new Spec("say", 256, false, CLIENT_LOOPS),
            new Spec("noop", 1024, false, CLIENT_LOOPS), new Spec("say", 1024, false, CLIENT_LOOPS));

    private Connections() {}

    /** Every cell for one runner, in one process of it. */
    static List<Cell> measure(RunnerProcess.Spec spec, Path dir, long warmupMs, long measureMs, PrintStream log)
            throws IOException {
        List<Cell> out = new ArrayList<>();
        log.println("== " + spec.label() + ": connection cells");
        try (RunnerProcess r = RunnerProcess.start(spec, dir)) {
            for (Spec c : CELLS) {
                LoadGen.Options o = new LoadGen.Options();
                o.socket = r.socket;
                o.pid = r.pid();
                o.scenario = c.scenario();
                o.connections = c.clients();
                o.newConnectionPerCall = c.newConnection();
                o.clientLoops = c.clientLoops();
                o.warmupMs = warmupMs;
                o.measureMs = measureMs;
                Result res = LoadGen.run(o);
                Cell cell = new Cell(spec.label(), c.name(), res, r.rssKb(), ProcStat.threads(r.pid()));
                log.println("  [" + spec.label() + "] " + c.name() + ": " + res + ", RSS "
                        + Compare.mb(cell.rssKb()) + " MB, " + cell.threads() + " threads");
                out.add(cell);
            }
            LoadGen.Options burst = new LoadGen.Options();
            burst.socket = r.socket;
            burst.pid = r.pid();
            burst.scenario = "noop";
            burst.connections = 1000;
            double ms = LoadGen.burst(burst);
            Result fake = new Result("noop", 1000, ms < 0 ? 0 : 1000, ms / 1000.0, new org.HdrHistogram.Histogram(3), -1,
                    ms < 0 ? 1 : 0, ms < 0 ? "burst failed" : null, -1);
            Cell cell = new Cell(spec.label(), "1000 conns at once", fake, r.rssKb(), ProcStat.threads(r.pid()));
            log.println("  [" + spec.label() + "] 1000 connections at once, one call each: " + Compare.f0(ms) + " ms, RSS "
                    + Compare.mb(cell.rssKb()) + " MB, " + cell.threads() + " threads");
            out.add(cell);
        }
        return out;
    }

    /** One table: a row per cell and runner, then ratio rows against the Go runner and against "before". */
    static String report(List<Cell> cells, String machine, long warmupMs, long measureMs) {
        Map<String, Map<String, Cell>> byCell = new LinkedHashMap<>();
        for (Cell c : cells) {
            byCell.computeIfAbsent(c.cell(), k -> new LinkedHashMap<>()).put(c.runner(), c);
        }
        StringBuilder md = new StringBuilder();
        md.append("### Connections (").append(machine).append(")\n\n");
        md.append(String.format(Locale.ROOT, "Warm-up %.0f s, measured %.0f s per cell; CPU per call is the runner's"
                + " (server) and the load generator's own (client), both from /proc. RSS and threads are the runner's"
                + " after the cell. `new-conn`: connect, one call, close (PrepareConf made before). `sleep20`: a"
                + " blocking plugin that sleeps 20 ms.%n%n", warmupMs / 1000.0, measureMs / 1000.0));
        md.append("| cell | runner | calls/s | p99 µs | server CPU µs/call | client CPU µs/call | errors | RSS MB | threads |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, Map<String, Cell>> e : byCell.entrySet()) {
            for (Cell c : e.getValue().values()) {
                Result r = c.result();
                boolean burst = e.getKey().startsWith("1000");
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %d | %s | %d |%n", e.getKey(), c.runner(),
                        burst ? "all answered in " + Compare.f0(r.seconds() * 1000) + " ms" : Compare.f0(r.callsPerSecond()),
                        burst ? "–" : Compare.f1(r.p(99)), Compare.f2(r.cpuMicrosPerCall()),
                        Compare.f2(r.clientCpuMicrosPerCall()), r.errors(), Compare.mb(c.rssKb()), c.threads()));
            }
            if (e.getKey().startsWith("1000")) {
                continue;
            }
            // Ratios: calls/s, p99 and server CPU per call of ours (blocking = false, and as users write plugins)
            // against each other runner of the same cell.
            for (String mine : new String[] {"ours-tuned", "ours-default"}) {
                Cell ours = e.getValue().get(mine);
                if (ours == null) {
                    continue;
                }
                for (String other : new String[] {"go", "official", "ours-before", "ours-today", "ours-tuned"}) {
                    Cell b = e.getValue().get(other);
                    if (b == null || other.equals(mine)) {
                        continue;
                    }
                    md.append(String.format(Locale.ROOT, "| %s | **%s/%s** | **%s** | %s | %s | | | | |%n", e.getKey(),
                            mine.substring(5), other.startsWith("ours-") ? other.substring(5) : other,
                            Compare.x(ours.result().callsPerSecond() / b.result().callsPerSecond()),
                            Compare.x(ours.result().p(99) / b.result().p(99)),
                            Compare.x(ours.result().cpuMicrosPerCall() / b.result().cpuMicrosPerCall())));
                }
            }
        }
        return md.toString();
    }
}
