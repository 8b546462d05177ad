package io.github.a6sdk.benchmarks.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The side-by-side comparison: our runner, the official Java runner and the Go runner, one after
 * the other, on the same client (this process), for the same plugins. Prints markdown tables.
 * Started by {@code benchmarks/compare.sh}; every duration and list is a flag.
 */
public final class Compare {

    static final class Config {
        Path oursJar;
        /** Extra environment for every runner of ours ({@code --ours-env K=V,K=V}). */
        Map<String, String> oursEnv = new LinkedHashMap<>();
        /** The same plugins declared without the blocking attribute (benchmarks/default-plugins). */
        Path oursDefaultJar;
        Path officialRun;
        Path officialJar;
        Path goRun;
        Path goBinary;
        String java = javaFromHome(System.getenv("JAVA_HOME"));
        String oursFlags = "";
        String tunedFlags = "-XX:+UseSerialGC -Xms16m -Xmx32m -Xmn8m -Xss256k -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=32m -XX:CICompilerCount=2";
        String jdk25;
        List<String> runners = List.of("ours", "official", "go");
        List<String> variants = List.of("tuned", "jdk25");
        List<String> scenarios = List.of("noop", "say", "rewrite", "vars", "respmod");
        int[] conns = {1, 16, 64};
        long warmupMs = 3000;
        long measureMs = 7000;
        long scaleWarmupMs = 2000;
        long scaleMeasureMs = 3000;
        int scaleConns = 16;
        long rssCalls = 1_000_000;
        int startRuns = 5;
        boolean scaling = true;
        /** "overlap": only the restart cells; "connections": only the connection cells; otherwise everything. */
        String only = "";
        /** A plugins jar of an earlier build, measured as "ours-before" in the connection cells. */
        Path beforeJar;
        /** An earlier build's plugin jar to compare against as "today" (the build before this change). */
        Path todayJar;
        /** Runners of the connection cells ("tuned" is ours with the README's recommended flags). */
        List<String> connectionRunners = List.of("tuned", "tuned-default", "before", "go", "official");
        boolean overlap = true;
        final Overlap.Options overlapOptions = new Overlap.Options();
        /** Plugin jars of the restart cells for runner "ours", in order: label → jar (default: ours). */
        Map<String, Path> overlapJars = new LinkedHashMap<>();
        /** Start ours in the restart cells as the README tells APISIX to: recommended flags and a CDS archive. */
        boolean overlapReadme;
        /** Plugin jars of the start/stop cells, in order: label → jar (default: ours). */
        Map<String, Path> startStopJars = new LinkedHashMap<>();
        /** JVM flag sets of the start/stop cells: "plain" (java -jar) and "readme" (the tuned flags). */
        List<String> startStopVariants = List.of("plain", "readme", "readme-cds");
        long startStopIdleMs = 500;
        Path out;
        Path workDir;
    }

    static String javaFromHome(String home) {
        return home == null || home.isBlank() ? "java" : home + "/bin/java";
    }

    /** Everything measured for one runner. */
    static final class Measured {
        final String label;
        final Map<String, Result> cells = new LinkedHashMap<>();
        final Map<String, Result> scale = new LinkedHashMap<>();
        double startMedianMs = Double.NaN;
        double[] starts = new double[0];
        long rssStartKb = -1;
        long rssReadyKb = -1;
        long rssAfterCallsKb = -1;
        long rssEndKb = -1;
        long peakKb = -1;
        int threadsEnd = -1;
        Result rssLoad;
        double sleepMs = Double.NaN;
        Result conn256;
        long artifactBytes = -1;
        String artifact = "";

        Measured(String label) {
            this.label = label;
        }
    }

    private final Config cfg;
    private final PrintStream log = System.err;

    Compare(Config cfg) {
        this.cfg = cfg;
    }

    RunnerProcess.Spec spec(String label) {
        switch (label) {
            case "ours":
                return ours("ours", cfg.java, cfg.oursFlags);
            case "tuned":
                return ours("ours-tuned", cfg.java, cfg.tunedFlags);
            case "tuned-default":
                if (cfg.oursDefaultJar == null) {
                    return null;
                }
                return oursJar("ours-default", cfg.java, cfg.tunedFlags, cfg.oursDefaultJar);
            case "before":
                if (cfg.beforeJar == null) {
                    return null;
                }
                return oursJar("ours-before", cfg.java, cfg.tunedFlags, cfg.beforeJar);
            case "today":
                if (cfg.todayJar == null) {
                    return null;
                }
                return oursJar("ours-today", cfg.java, cfg.tunedFlags, cfg.todayJar);
            case "metrics":
                // A6_METRICS_ADDRESS on a free port: the recording cost (nothing scrapes during the cells)
                return ours("ours-metrics", cfg.java, cfg.oursFlags, Map.of("A6_METRICS_ADDRESS", "127.0.0.1:0"));
            case "plain":
                // the default runner again, measured in the variants' place, for an off/on pair of neighbours
                return ours("ours-plain", cfg.java, cfg.oursFlags);
            case "jdk25":
                if (cfg.jdk25 == null || !Files.isExecutable(Path.of(cfg.jdk25, "bin", "java"))) {
                    return null;
                }
                return ours("ours-jdk25", cfg.jdk25 + "/bin/java", cfg.oursFlags);
            case "official":
                return new RunnerProcess.Spec("official", List.of(cfg.officialRun.toString()), Map.of(), cfg.officialJar);
            case "go":
                return new RunnerProcess.Spec("go", List.of(cfg.goRun.toString()), Map.of(), cfg.goBinary);
            default:
                throw new IllegalArgumentException("unknown runner " + label);
        }
    }

    private RunnerProcess.Spec ours(String label, String java, String flags) {
        return oursJar(label, java, flags, cfg.oursJar, Map.of());
    }

    private RunnerProcess.Spec ours(String label, String java, String flags, Map<String, String> env) {
        return oursJar(label, java, flags, cfg.oursJar, env);
    }

    private RunnerProcess.Spec oursJar(String label, String java, String flags, Path jar) {
        return oursJar(label, java, flags, jar, Map.of());
    }

    private RunnerProcess.Spec oursJar(String label, String java, String flags, Path jar, Map<String, String> env) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        if (!flags.isBlank()) {
            cmd.addAll(Arrays.asList(flags.trim().split("\\s+")));
        }
        cmd.add("-jar");
        cmd.add(jar.toString());
        Map<String, String> all = new LinkedHashMap<>(env);
        all.put("A6_LOG_LEVEL", "WARN");
        all.putAll(cfg.oursEnv);
        return new RunnerProcess.Spec(label, cmd, all, jar);
    }

    LoadGen.Options options(RunnerProcess r, String scenario, int conns, long warmup, long measure) {
        LoadGen.Options o = new LoadGen.Options();
        o.socket = r.socket;
        o.pid = r.pid();
        o.scenario = scenario;
        o.connections = conns;
        o.warmupMs = warmup;
        o.measureMs = measure;
        return o;
    }

    Result cell(RunnerProcess r, LoadGen.Options o) throws IOException {
        Result res = LoadGen.run(o);
        log.println("  [" + r.spec.label() + "] " + res);
        return res;
    }

    /** The full lifecycle of one runner; {@code full} = matrix + scaling, otherwise the short variant set. */
    Measured measure(RunnerProcess.Spec spec, boolean full) throws IOException, InterruptedException {
        Measured m = new Measured(spec.label());
        m.artifact = spec.artifact().getFileName().toString();
        m.artifactBytes = Files.size(spec.artifact());
        Path dir = cfg.workDir;
        log.println("== " + spec.label() + ": " + String.join(" ", spec.command()));
        // start time, median of N fresh starts
        double[] starts = new double[cfg.startRuns];
        long[] readyRss = new long[cfg.startRuns];
        for (int i = 0; i < starts.length; i++) {
            try (RunnerProcess r = RunnerProcess.start(spec, dir)) {
                starts[i] = r.startMillis;
                readyRss[i] = r.rssKb();
            }
        }
        m.starts = starts;
        m.startMedianMs = median(starts);
        m.rssReadyKb = (long) median(Arrays.stream(readyRss).asDoubleStream().toArray());
        log.printf(Locale.ROOT, "  start: %s ms (median %.0f)%n", Arrays.toString(starts), m.startMedianMs);

        try (RunnerProcess r = RunnerProcess.start(spec, dir)) {
            Thread.sleep(1000);
            m.rssStartKb = r.rssKb();
            LoadGen.Options o = options(r, "noop", 16, 0, 0);
            o.fixedCalls = cfg.rssCalls;
            m.rssLoad = cell(r, o);
            m.rssAfterCallsKb = r.rssKb();
            log.printf(Locale.ROOT, "  RSS: %d MB after start, %d MB after %d calls%n", m.rssStartKb / 1024,
                    m.rssAfterCallsKb / 1024, cfg.rssCalls);
            List<String> scenarios = full ? cfg.scenarios : List.of("noop", "say", "rewrite");
            int[] conns = full ? cfg.conns : new int[] {16, 64};
            for (String s : scenarios) {
                for (int c : conns) {
                    m.cells.put(s + "/" + c, cell(r, options(r, s, c, cfg.warmupMs, cfg.measureMs)));
                }
            }
            if (full) {
                m.conn256 = cell(r, options(r, "noop", 256, cfg.warmupMs, cfg.measureMs));
                LoadGen.Options sleep = options(r, "sleep", 8, 0, 0);
                LoadGen.burst(sleep);
                m.sleepMs = LoadGen.burst(sleep);
                log.printf(Locale.ROOT, "  sleep 200 ms x 8: %.1f ms%n", m.sleepMs);
                if (cfg.scaling) {
                    for (int h : new int[] {10, 100, 1000}) {
                        LoadGen.Options o2 = options(r, "noop", cfg.scaleConns, cfg.scaleWarmupMs, cfg.scaleMeasureMs);
                        o2.headers = h;
                        m.scale.put("headers/" + h, cell(r, o2));
                    }
                    for (int routes : new int[] {1, 1000, 100_000}) {
                        LoadGen.Options o2 = options(r, "noop", cfg.scaleConns, cfg.scaleWarmupMs, cfg.scaleMeasureMs);
                        o2.routes = routes;
                        long t0 = System.nanoTime();
                        m.scale.put("routes/" + routes, cell(r, o2));
                        log.printf(Locale.ROOT, "  (%d routes: %.1f s including PrepareConf)%n", routes, (System.nanoTime() - t0) / 1e9);
                    }
                    for (int n : new int[] {1, 5, 20}) {
                        m.scale.put("chain/" + n, cell(r, options(r, "chain" + n, cfg.scaleConns, cfg.scaleWarmupMs,
                                cfg.scaleMeasureMs)));
                    }
                }
            }
            m.rssEndKb = r.rssKb();
            m.peakKb = r.peakRssKb();
            m.threadsEnd = ProcStat.threads(r.pid());
        }
        return m;
    }

    /** The connection cells for every runner of {@code --connection-runners}, as markdown. */
    String connections(String machine) throws IOException {
        List<Connections.Cell> cells = new ArrayList<>();
        for (String label : cfg.connectionRunners) {
            RunnerProcess.Spec spec = spec(label);
            if (spec == null) {
                log.println("== " + label + ": not available, skipped");
                continue;
            }
            cells.addAll(Connections.measure(spec, cfg.workDir, cfg.scaleWarmupMs, cfg.scaleMeasureMs, log));
        }
        return Connections.report(cells, machine, cfg.scaleWarmupMs, cfg.scaleMeasureMs);
    }

    /** The out-of-open-files cells, for every runner in --runners (ours as "tuned", with the README's flags). */
    String exhaustion() throws InterruptedException {
        List<Exhaustion.Cell> cells = new ArrayList<>();
        for (String label : cfg.runners) {
            RunnerProcess.Spec spec = spec(label.equals("ours") ? "tuned" : label);
            log.println("== " + spec.label() + ": out of open files");
            for (int[] lf : new int[][] {{128, 300}, {1024, 1500}}) {
                try {
                    cells.add(Exhaustion.measure(spec, cfg.workDir, lf[0], lf[1], 2000));
                } catch (IOException e) {
                    log.println("  [" + spec.label() + " exhaustion] not measured: " + e.getMessage());
                }
            }
        }
        return Exhaustion.report(cells, 2000);
    }

    /** The start and idle-stop cells: every jar of --startstop-jars with each flag set, then the baselines. */
    String startStop(String machine) throws InterruptedException {
        Map<String, Path> jars = new LinkedHashMap<>(cfg.startStopJars);
        if (jars.isEmpty()) {
            jars.put("ours", cfg.oursJar);
        }
        List<StartStop.Cell> cells = new ArrayList<>();
        List<RunnerProcess.Spec> specs = new ArrayList<>();
        for (Map.Entry<String, Path> jar : jars.entrySet()) {
            int n = 0;
            for (String v : cfg.startStopVariants) {
                // "readme-cds": the README's APISIX command, its flags and the jar's own cds archive
                String flags = v.equals("readme") ? cfg.tunedFlags
                        : v.equals("readme-cds") ? "-XX:SharedArchiveFile=" + cds(jar.getValue()) + " " + cfg.tunedFlags
                        : v.equals("plain") ? "" : v;
                String suffix = v.equals("plain") ? "" : v.startsWith("readme") ? "-" + v : "-flags" + (++n);
                specs.add(oursJar(jar.getKey() + suffix, cfg.java, flags, jar.getValue()));
            }
        }
        for (String r : cfg.runners) {
            if (r.equals("go") || r.equals("official")) {
                specs.add(spec(r));
            }
        }
        for (RunnerProcess.Spec spec : specs) {
            log.println("== " + spec.label() + ": start and idle stop");
            try {
                cells.add(StartStop.measure(spec, cfg.workDir, cfg.startRuns, cfg.startStopIdleMs));
            } catch (IOException e) {
                log.println("  [" + spec.label() + "] not measured: " + e.getMessage());
            }
        }
        return StartStop.report(cells, cfg.startRuns, cfg.startStopIdleMs, machine);
    }

    /** Writes {@code jar}'s class-data sharing archive with the jar's own {@code cds} command (the README's step); returns it. */
    Path cds(Path jar) throws InterruptedException {
        Path jsa = jar.resolveSibling(jar.getFileName().toString().replaceAll("\\.jar$", "") + ".jsa");
        try {
            Process p = new ProcessBuilder(cfg.java, "-jar", jar.toString(), "cds", jsa.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                log.println("  cds for " + jar + " failed: " + out);
            }
        } catch (IOException e) {
            log.println("  cds for " + jar + " failed: " + e);
        }
        return jsa;
    }

    /** The restart cells (overlap at each delay, then old tokens) for every runner, as markdown. */
    String restarts() throws InterruptedException {
        List<Overlap.Cell> cells = new ArrayList<>();
        List<Overlap.TokenCell> tokens = new ArrayList<>();
        for (String label : cfg.runners) {
            RunnerProcess.Spec spec = spec(label);
            log.println("== " + label + ": restart cells");
            List<RunnerProcess.Spec> specs = new ArrayList<>();
            if (label.equals("ours") && !cfg.overlapJars.isEmpty()) {
                for (Map.Entry<String, Path> jar : cfg.overlapJars.entrySet()) {
                    if (cfg.overlapReadme) {
                        // As the README tells APISIX to start it: the recommended flags and the jar's CDS archive.
                        Path jsa = cds(jar.getValue());
                        specs.add(oursJar(jar.getKey() + "-readme", cfg.java, "-XX:SharedArchiveFile=" + jsa + " " + cfg.tunedFlags,
                                jar.getValue()));
                    } else {
                        specs.add(oursJar(jar.getKey(), cfg.java, cfg.oursFlags, jar.getValue()));
                    }
                }
            } else {
                specs.add(spec);
            }
            for (RunnerProcess.Spec s : specs) {
                for (long d : cfg.overlapOptions.delaysMs) {
                    for (long hold : cfg.overlapOptions.holdBacksMs) {
                        for (int run = 0; run < cfg.overlapOptions.runs; run++) {
                            try {
                                cells.add(Overlap.overlap(s, cfg.workDir, d, hold, cfg.overlapOptions));
                            } catch (IOException e) {
                                log.println("  [" + s.label() + " overlap " + d + " ms] not measured: " + e.getMessage());
                            }
                        }
                    }
                }
            }
            try {
                tokens.add(Overlap.tokens(spec, cfg.workDir, cfg.overlapOptions.routes));
            } catch (IOException e) {
                log.println("  [" + label + " tokens] not measured: " + e.getMessage());
            }
        }
        return Overlap.report(cells, tokens, cfg.overlapOptions);
    }

    static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    // ---------------------------------------------------------------- report

    static String f0(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%,.0f", v);
    }

    static String f1(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f", v);
    }

    static String f2(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", v);
    }

    static String x(double ratio) {
        return Double.isNaN(ratio) || Double.isInfinite(ratio) ? "–" : String.format(Locale.ROOT, "%.2f×", ratio);
    }

    static String mb(long kb) {
        return kb < 0 ? "–" : String.format(Locale.ROOT, "%.1f", kb / 1024.0);
    }

    private static String row(Object... cells) {
        StringBuilder sb = new StringBuilder("|");
        for (Object c : cells) {
            sb.append(' ').append(c).append(" |");
        }
        return sb.toString();
    }

    String report(Map<String, Measured> all, List<Measured> variants, String machine) {
        StringBuilder md = new StringBuilder();
        Measured ours = all.get("ours");
        Measured off = all.get("official");
        Measured go = all.get("go");
        md.append("### Side by side: calls over one unix socket, closed loop (").append(machine).append(")\n\n");
        md.append(String.format(Locale.ROOT, "Warm-up %.0f s excluded, measured %.0f s per cell; CPU = server utime+stime"
                + " over the measured window / calls. Ratio rows: ours ÷ other (calls/s: higher is better; latency and"
                + " CPU: lower is better).%n%n", cfg.warmupMs / 1000.0, cfg.measureMs / 1000.0));
        md.append(row("plugin", "conns", "runner", "calls/s", "p50 µs", "p99 µs", "p99.9 µs", "CPU µs/call", "errors"))
                .append('\n');
        md.append("|---|---:|---|---:|---:|---:|---:|---:|---:|\n");
        for (String s : cfg.scenarios) {
            for (int c : cfg.conns) {
                String key = s + "/" + c;
                for (Measured m : all.values()) {
                    Result r = m.cells.get(key);
                    if (r != null) {
                        md.append(row(s, c, m.label, f0(r.callsPerSecond()), f1(r.p(50)), f1(r.p(99)), f1(r.p(99.9)),
                                f2(r.cpuMicrosPerCall()), r.errors())).append('\n');
                    }
                }
                if (ours != null && ours.cells.containsKey(key)) {
                    for (Measured other : new Measured[] {off, go}) {
                        if (other == null || !other.cells.containsKey(key)) {
                            continue;
                        }
                        Result a = ours.cells.get(key);
                        Result b = other.cells.get(key);
                        md.append(row(s, c, "**ours/" + other.label + "**", "**" + x(a.callsPerSecond() / b.callsPerSecond()) + "**",
                                x(a.p(50) / b.p(50)), x(a.p(99) / b.p(99)), x(a.p(99.9) / b.p(99.9)),
                                x(a.cpuMicrosPerCall() / b.cpuMicrosPerCall()), "")).append('\n');
                    }
                }
            }
        }

        md.append("\n### Start, memory, size\n\n");
        md.append(row("runner", "start → socket ready, ms (median of " + cfg.startRuns + ")", "RSS at ready MB",
                "RSS 1 s after start MB", "RSS after " + String.format(Locale.ROOT, "%,d", cfg.rssCalls) + " calls MB",
                "RSS at end MB", "peak RSS MB", "threads at end", "artifact", "size")).append('\n');
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
        List<Measured> rows = new ArrayList<>(all.values());
        rows.addAll(variants);
        for (Measured m : rows) {
            md.append(row(m.label, f0(m.startMedianMs), mb(m.rssReadyKb), mb(m.rssStartKb), mb(m.rssAfterCallsKb),
                    mb(m.rssEndKb), mb(m.peakKb), m.threadsEnd, m.artifact,
                    String.format(Locale.ROOT, "%,d B", m.artifactBytes))).append('\n');
        }

        md.append("\n### Blocking plugin and many connections\n\n");
        md.append(row("runner", "sleep 200 ms × 8 connections: all done, ms", "noop 64 conns calls/s",
                "noop 256 conns calls/s", "256 ÷ 64", "p99 µs at 256", "errors at 256")).append('\n');
        md.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Measured m : all.values()) {
            Result c64 = m.cells.get("noop/64");
            Result c256 = m.conn256;
            md.append(row(m.label, f1(m.sleepMs), c64 == null ? "–" : f0(c64.callsPerSecond()),
                    c256 == null ? "–" : f0(c256.callsPerSecond()),
                    c64 == null || c256 == null ? "–" : String.format(Locale.ROOT, "%.0f %%", 100 * c256.callsPerSecond() / c64.callsPerSecond()),
                    c256 == null ? "–" : f1(c256.p(99)), c256 == null ? "–" : c256.errors())).append('\n');
        }

        if (cfg.scaling) {
            md.append(String.format(Locale.ROOT, "%n### Scaling (%d connections, %.0f s warm-up + %.0f s measured per cell)%n%n",
                    cfg.scaleConns, cfg.scaleWarmupMs / 1000.0, cfg.scaleMeasureMs / 1000.0));
            scaleTable(md, all, "Request headers (noop chain)", "headers", new int[] {10, 100, 1000});
            scaleTable(md, all, "Cached route configs (noop; calls spread over all tokens)", "routes", new int[] {1, 1000, 100_000});
            scaleTable(md, all, "Chain length (noop × n)", "chain", new int[] {1, 5, 20});
        }

        if (!variants.isEmpty() && ours != null) {
            md.append("\n### Our runner: JVM flags and JDK\n\n");
            md.append(row("variant", "command", "plugin", "conns", "calls/s", "vs ours default", "p99 µs", "CPU µs/call",
                    "errors")).append('\n');
            md.append("|---|---|---|---:|---:|---:|---:|---:|---:|\n");
            List<Measured> vs = new ArrayList<>();
            vs.add(ours);
            vs.addAll(variants);
            for (String key : new String[] {"noop/16", "noop/64", "say/16", "say/64", "rewrite/16", "rewrite/64"}) {
                for (Measured m : vs) {
                    Result r = m.cells.get(key);
                    if (r == null) {
                        continue;
                    }
                    String[] k = key.split("/");
                    md.append(row(m.label, "`" + String.join(" ", spec(m.label.equals("ours") ? "ours"
                            : m.label.substring(5)).command()) + "`", k[0], k[1], f0(r.callsPerSecond()),
                            ours.cells.containsKey(key) ? x(r.callsPerSecond() / ours.cells.get(key).callsPerSecond()) : "–",
                            f1(r.p(99)),
                            f2(r.cpuMicrosPerCall()), r.errors())).append('\n');
                }
            }
        }
        md.append(metricsTable(variants));
        md.append('\n').append(targets(all));
        return md.toString();
    }

    /**
     * Metrics on vs off, from the "metrics" and "plain" variants of this run: each cell's mean over
     * the variants of each kind (list them alternately, e.g. --variants plain,metrics,plain,metrics).
     */
    static String metricsTable(List<Measured> variants) {
        StringBuilder md = new StringBuilder();
        List<Measured> on = new ArrayList<>();
        List<Measured> off = new ArrayList<>();
        for (Measured m : variants) {
            (m.label.equals("ours-metrics") ? on : m.label.equals("ours-plain") ? off : new ArrayList<Measured>()).add(m);
        }
        if (on.isEmpty() || off.isEmpty()) {
            return "";
        }
        md.append(String.format(Locale.ROOT, "%n### A6_METRICS_ADDRESS on vs off (%d on, %d off runs, alternating)%n%n",
                on.size(), off.size()));
        md.append(row("plugin", "conns", "calls/s off", "calls/s on", "on ÷ off", "p99 µs off", "p99 µs on",
                "CPU µs/call off", "CPU µs/call on", "CPU on ÷ off")).append('\n');
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String key : new String[] {"noop/16", "noop/64", "say/16", "say/64", "rewrite/16", "rewrite/64"}) {
            double[] a = mean(off, key);
            double[] b = mean(on, key);
            if (a == null || b == null) {
                continue;
            }
            String[] k = key.split("/");
            md.append(row(k[0], k[1], f0(a[0]), f0(b[0]), x(b[0] / a[0]), f1(a[1]), f1(b[1]), f2(a[2]), f2(b[2]),
                    x(b[2] / a[2]))).append('\n');
        }
        return md.toString();
    }

    /** Mean calls/s, p99 and CPU/call of {@code key} over {@code runs}; null when none has it. */
    private static double[] mean(List<Measured> runs, String key) {
        double[] sum = new double[3];
        int n = 0;
        for (Measured m : runs) {
            Result r = m.cells.get(key);
            if (r != null) {
                sum[0] += r.callsPerSecond();
                sum[1] += r.p(99);
                sum[2] += r.cpuMicrosPerCall();
                n++;
            }
        }
        if (n == 0) {
            return null;
        }
        for (int i = 0; i < 3; i++) {
            sum[i] /= n;
        }
        return sum;
    }

    private void scaleTable(StringBuilder md, Map<String, Measured> all, String title, String kind, int[] values) {
        md.append("**").append(title).append("**\n\n");
        List<Object> head = new ArrayList<>(List.of("runner"));
        StringBuilder sep = new StringBuilder("|---|");
        for (int v : values) {
            head.add(String.format(Locale.ROOT, "%,d: calls/s", v));
            head.add("CPU µs/call");
            head.add("p99 µs");
            sep.append("---:|---:|---:|");
        }
        head.add("errors");
        sep.append("---:|");
        md.append(row(head.toArray())).append('\n').append(sep).append('\n');
        for (Measured m : all.values()) {
            List<Object> cells = new ArrayList<>(List.of(m.label));
            long errors = 0;
            for (int v : values) {
                Result r = m.scale.get(kind + "/" + v);
                cells.add(r == null ? "–" : f0(r.callsPerSecond()));
                cells.add(r == null ? "–" : f2(r.cpuMicrosPerCall()));
                cells.add(r == null ? "–" : f1(r.p(99)));
                errors += r == null ? 0 : r.errors();
            }
            cells.add(errors);
            md.append(row(cells.toArray())).append('\n');
        }
        md.append('\n');
    }

    private String targets(Map<String, Measured> all) {
        Measured ours = all.get("ours");
        Measured off = all.get("official");
        Measured go = all.get("go");
        if (ours == null) {
            return "";
        }
        StringBuilder md = new StringBuilder("### Targets (this run)\n\n");
        md.append(row("target", "measured", "met")).append('\n').append("|---|---|---|\n");
        for (String s : List.of("noop", "say", "rewrite")) {
            for (int c : new int[] {16, 64}) {
                String key = s + "/" + c;
                Result a = ours.cells.get(key);
                if (a == null) {
                    continue;
                }
                if (go != null && go.cells.containsKey(key)) {
                    Result g = go.cells.get(key);
                    double tp = a.callsPerSecond() / g.callsPerSecond();
                    double cpu = a.cpuMicrosPerCall() / g.cpuMicrosPerCall();
                    double p99 = a.p(99) / g.p(99);
                    md.append(row(key + " vs Go: calls/s ≥ 1.1×, CPU/call ≤ 1×, p99 ≤ 0.5×",
                            x(tp) + ", " + x(cpu) + ", " + x(p99), yes(tp >= 1.1 && cpu <= 1.0 && p99 <= 0.5))).append('\n');
                }
                if (off != null && off.cells.containsKey(key)) {
                    Result b = off.cells.get(key);
                    double tp = a.callsPerSecond() / b.callsPerSecond();
                    double cpu = a.cpuMicrosPerCall() / b.cpuMicrosPerCall();
                    md.append(row(key + " vs official: calls/s ~2×, CPU/call ≤ 0.5×", x(tp) + ", " + x(cpu),
                            yes(tp >= 1.9 && cpu <= 0.5))).append('\n');
                }
            }
        }
        for (int c : new int[] {16, 64}) {
            String key = "vars/" + c;
            Result a = ours.cells.get(key);
            if (a == null) {
                continue;
            }
            double vo = off == null || !off.cells.containsKey(key) ? Double.NaN : a.callsPerSecond() / off.cells.get(key).callsPerSecond();
            double vg = go == null || !go.cells.containsKey(key) ? Double.NaN : a.callsPerSecond() / go.cells.get(key).callsPerSecond();
            md.append(row(key + ": ≥ 2.5× official, ≥ 1.5× Go", x(vo) + ", " + x(vg), yes(vo >= 2.5 && vg >= 1.5))).append('\n');
        }
        md.append(row("sleep 200 ms × 8 connections < 300 ms", f1(ours.sleepMs) + " ms", yes(ours.sleepMs > 0 && ours.sleepMs < 300)))
                .append('\n');
        md.append(row("start ≤ 300 ms (" + cfg.java + ")", f0(ours.startMedianMs) + " ms", yes(ours.startMedianMs <= 300))).append('\n');
        md.append(row("RSS ≤ 64 MB after " + String.format(Locale.ROOT, "%,d", cfg.rssCalls) + " calls",
                mb(ours.rssAfterCallsKb) + " MB", yes(ours.rssAfterCallsKb > 0 && ours.rssAfterCallsKb <= 64 * 1024))).append('\n');
        md.append(row("plugin fat jar ≤ 1 MB (" + ours.artifact + ", 7 plugins)", String.format(Locale.ROOT, "%,d B", ours.artifactBytes),
                yes(ours.artifactBytes <= 1024 * 1024))).append('\n');
        if (ours.conn256 != null && ours.cells.containsKey("noop/64")) {
            double r = ours.conn256.callsPerSecond() / ours.cells.get("noop/64").callsPerSecond();
            md.append(row("256 connections ≥ 90 % of 64-connection calls/s", String.format(Locale.ROOT, "%.0f %%", 100 * r),
                    yes(r >= 0.9))).append('\n');
        }
        for (Measured m : all.values()) {
            long main = 0;
            long scale = 0;
            String first = null;
            for (Result r : m.cells.values()) {
                main += r.errors();
                first = first == null ? r.firstError() : first;
            }
            if (m.conn256 != null) {
                main += m.conn256.errors();
                first = first == null ? m.conn256.firstError() : first;
            }
            for (Map.Entry<String, Result> e : m.scale.entrySet()) {
                scale += e.getValue().errors();
                if (first == null && e.getValue().firstError() != null) {
                    first = e.getKey() + ": " + e.getValue().firstError();
                }
            }
            md.append(row("wrong replies, " + m.label + " (main cells; scaling cells)", main + "; " + scale
                    + (first == null ? "" : " (first: " + first + ")"), yes(main + scale == 0))).append('\n');
        }
        return md.toString();
    }

    private static String yes(boolean b) {
        return b ? "yes" : "**no**";
    }

    static String machine() {
        String cpu = "?";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException ignored) {
            // unknown
        }
        return Runtime.getRuntime().availableProcessors() + " cores, " + cpu + ", client JDK " + Runtime.version();
    }

    static String javaVersion(String java) {
        try {
            Process p = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            String[] lines = out.split("\n");
            return lines.length > 1 ? lines[1].trim() : out.trim();
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    public static void main(String[] args) throws Exception {
        Config cfg = new Config();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : "";
            i++;
            switch (a) {
                case "--ours-jar": cfg.oursJar = Path.of(v); break;
                case "--ours-default-jar": cfg.oursDefaultJar = Path.of(v); break;
                case "--ours-env":
                    for (String e : list(v)) {
                        cfg.oursEnv.put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
                    }
                    break;
                case "--official-run": cfg.officialRun = Path.of(v); break;
                case "--official-jar": cfg.officialJar = Path.of(v); break;
                case "--go-run": cfg.goRun = Path.of(v); break;
                case "--go-binary": cfg.goBinary = Path.of(v); break;
                case "--java": cfg.java = v; break;
                case "--ours-flags": cfg.oursFlags = v; break;
                case "--tuned-flags": cfg.tunedFlags = v; break;
                case "--jdk25": cfg.jdk25 = v; break;
                case "--runners": cfg.runners = list(v); break;
                case "--variants": cfg.variants = list(v); break;
                case "--scenarios": cfg.scenarios = list(v); break;
                case "--conns": cfg.conns = list(v).stream().mapToInt(Integer::parseInt).toArray(); break;
                case "--warmup": cfg.warmupMs = seconds(v); break;
                case "--measure": cfg.measureMs = seconds(v); break;
                case "--scale-warmup": cfg.scaleWarmupMs = seconds(v); break;
                case "--scale-measure": cfg.scaleMeasureMs = seconds(v); break;
                case "--scale-conns": cfg.scaleConns = Integer.parseInt(v); break;
                case "--rss-calls": cfg.rssCalls = Long.parseLong(v); break;
                case "--start-runs": cfg.startRuns = Integer.parseInt(v); break;
                case "--no-scaling": cfg.scaling = false; i--; break;
                case "--only": cfg.only = v; break;
                case "--before-jar": cfg.beforeJar = Path.of(v); break;
                case "--today-jar": cfg.todayJar = Path.of(v); break;
                case "--connection-runners": cfg.connectionRunners = list(v); break;
                case "--no-overlap": cfg.overlap = false; i--; break;
                case "--overlap-delays": cfg.overlapOptions.delaysMs = list(v).stream().map(Compare::seconds).toList(); break;
                case "--overlap-warmup": cfg.overlapOptions.warmupMs = seconds(v); break;
                case "--overlap-after": cfg.overlapOptions.afterMs = seconds(v); break;
                case "--overlap-threads": cfg.overlapOptions.threads = Integer.parseInt(v); break;
                case "--overlap-workers": cfg.overlapOptions.workers = Integer.parseInt(v); break;
                case "--overlap-routes": cfg.overlapOptions.routes = Integer.parseInt(v); break;
                case "--overlap-fail-pause-ms": cfg.overlapOptions.failPauseMs = Long.parseLong(v); break;
                case "--overlap-hold-back": cfg.overlapOptions.holdBacksMs = list(v).stream().map(Compare::seconds).toList(); break;
                case "--overlap-runs": cfg.overlapOptions.runs = Integer.parseInt(v); break;
                case "--overlap-jars": cfg.overlapJars = jars(v); break;
                case "--overlap-readme": cfg.overlapReadme = true; i--; break;
                case "--startstop-jars": cfg.startStopJars = jars(v); break;
                case "--startstop-variants": cfg.startStopVariants = Arrays.asList(v.split(";")); break;
                case "--startstop-idle-ms": cfg.startStopIdleMs = Long.parseLong(v); break;
                case "--out": cfg.out = Path.of(v); break;
                case "--work-dir": cfg.workDir = Path.of(v); break;
                default:
                    System.err.println("unknown option " + a);
                    System.exit(2);
            }
        }
        if (cfg.workDir == null) {
            cfg.workDir = Files.createTempDirectory("a6-compare");
        }
        Compare c = new Compare(cfg);
        String machine = machine() + "; our runner on " + javaVersion(cfg.java);
        System.err.println("machine: " + machine);
        if (!List.of("", "overlap", "connections", "startstop", "exhaustion").contains(cfg.only)) {
            System.err.println("--only takes: overlap, connections, startstop, exhaustion");
            System.exit(2);
        }
        if (cfg.only.equals("exhaustion")) {
            String md = "Exhaustion cells only (" + machine + ").\n\n" + c.exhaustion();
            System.out.println(md);
            if (cfg.out != null) {
                Files.writeString(cfg.out, md);
            }
            return;
        }
        if (cfg.only.equals("startstop")) {
            String md = c.startStop(machine);
            System.out.println(md);
            if (cfg.out != null) {
                Files.writeString(cfg.out, md);
            }
            return;
        }
        if (cfg.only.equals("connections")) {
            String md = c.connections(machine);
            System.out.println(md);
            if (cfg.out != null) {
                Files.writeString(cfg.out, md);
            }
            return;
        }
        if (cfg.only.equals("overlap")) {
            String md = "Restart cells only (" + machine + ").\n\n" + c.restarts();
            System.out.println(md);
            if (cfg.out != null) {
                Files.writeString(cfg.out, md);
            }
            return;
        }
        Map<String, Measured> all = new LinkedHashMap<>();
        for (String r : cfg.runners) {
            all.put(r, c.measure(c.spec(r), true));
        }
        List<Measured> variants = new ArrayList<>();
        for (String v : cfg.variants) {
            RunnerProcess.Spec s = c.spec(v);
            if (s == null) {
                System.err.println("skipping variant " + v + " (not available)");
                continue;
            }
            variants.add(c.measure(s, false));
        }
        String md = c.report(all, variants, machine);
        if (cfg.overlap) {
            md += "\n" + c.restarts();
        }
        System.out.println(md);
        if (cfg.out != null) {
            Files.writeString(cfg.out, md);
        }
    }

    /** {@code label=path,label=path} in order. */
    private static Map<String, Path> jars(String v) {
        Map<String, Path> out = new LinkedHashMap<>();
        for (String e : list(v)) {
            int eq = e.indexOf('=');
            out.put(e.substring(0, eq), Path.of(e.substring(eq + 1)));
        }
        return out;
    }

    private static List<String> list(String v) {
        return v.isBlank() ? List.of() : Arrays.asList(v.split(","));
    }

    private static long seconds(String v) {
        return (long) (Double.parseDouble(v) * 1000);
    }
}
