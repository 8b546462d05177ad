package io.github.a6sdk.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Start and stop of a runner on an idle machine (issue 20), each a median of fresh processes:
 *
 * <ul>
 *   <li><b>start → bound</b>: process launch until the socket accepts a connection;
 *   <li><b>start → ready</b>: process launch until a PrepareConf ({@code say}) on a new connection
 *       is answered with a token, as the first request after APISIX starts the runner needs;
 *   <li><b>idle stop</b>: a runner that answered a call and then had no traffic for
 *       {@code idleMs} gets SIGTERM: time until the process has exited (APISIX sends SIGKILL
 *       1 s after SIGTERM).
 * </ul>
 */
final class StartStop {

    /** One runner's figures. */
    record Cell(String label, String command, double[] bound, double[] ready, double[] cpu, double[] stop, int[] stopStatus) {
        double boundMedian() {
            return Compare.median(bound);
        }

        double readyMedian() {
            return Compare.median(ready);
        }

        double cpuMedian() {
            return Compare.median(cpu);
        }

        double stopMedian() {
            return Compare.median(stop);
        }
    }

    private StartStop() {}

    static Cell measure(RunnerProcess.Spec spec, Path base, int runs, long idleMs) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(base.resolve("startstop-" + spec.label()));
        double[] bound = new double[runs];
        double[] ready = new double[runs];
        double[] stop = new double[runs];
        double[] cpu = new double[runs];
        int[] status = new int[runs];
        for (int i = 0; i < runs; i++) {
            Path p = dir.resolve("runner.sock");
            Files.deleteIfExists(p);
            RunnerProcess r = RunnerProcess.launch(spec, dir, p, "run-" + i);
            try {
                r.awaitReady(60_000);
                bound[i] = r.startMillis;
                ready[i] = awaitPrepared(r, 60_000);
                cpu[i] = ProcStat.cpuNanos(r.pid()) / 1e6;
                Thread.sleep(idleMs);
                long t0 = System.nanoTime();
                r.process.destroy(); // SIGTERM
                if (!r.process.waitFor(5, TimeUnit.SECONDS)) {
                    r.process.destroyForcibly();
                    r.process.waitFor(5, TimeUnit.SECONDS);
                    stop[i] = Double.POSITIVE_INFINITY;
                } else {
                    stop[i] = (System.nanoTime() - t0) / 1e6;
                }
                status[i] = r.process.exitValue();
            } finally {
                r.close();
            }
        }
        Cell c = new Cell(spec.label(), String.join(" ", spec.command()), bound, ready, cpu, stop, status);
        System.err.printf(Locale.ROOT, "  [%s] start→bound %s ms (median %.0f), start→ready %s ms (median %.0f), CPU %.0f ms,"
                + " idle stop %s ms (median %.0f), exit %s%n", spec.label(), fmt(bound), c.boundMedian(), fmt(ready),
                c.readyMedian(), c.cpuMedian(), fmt(stop), c.stopMedian(), Arrays.toString(status));
        return c;
    }

    /** Milliseconds from launch until a PrepareConf on a new connection is answered with a token. */
    private static double awaitPrepared(RunnerProcess r, long timeoutMs) throws IOException, InterruptedException {
        long deadline = r.launchedNanos + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try {
                Wire.prepareConf(r.socket, "route#1#ext-plugin-pre-req#1", List.<String[]>of(new String[] {"say", "{\"body\":\"x\"}"}));
                return (System.nanoTime() - r.launchedNanos) / 1e6;
            } catch (IOException e) {
                last = e;
                Thread.sleep(0, 500_000);
            }
        }
        throw new IOException(r.spec.label() + ": no PrepareConf answered within " + timeoutMs + " ms", last);
    }

    private static String fmt(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (double d : v) {
            sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f", d));
        }
        return sb.toString();
    }

    static String report(List<Cell> cells, int runs, long idleMs, String machine) {
        StringBuilder md = new StringBuilder();
        md.append("### Start and idle stop (issue 20)\n\n");
        md.append(String.format(Locale.ROOT, "%s. Medians of %d fresh processes each, run one after the other in one sitting."
                + " Start → bound: launch until the socket accepts a connection. Start → ready: launch until a PrepareConf"
                + " on a new connection is answered; CPU: the runner's user + system time until then (less sensitive to other load on the machine than the wall times). Idle stop: after a call, %d ms with no traffic, then SIGTERM:"
                + " time until the process has exited (APISIX sends SIGKILL 1 s after SIGTERM).%n%n", machine, runs, idleMs));
        md.append("| runner | start → bound ms | start → ready ms | CPU to ready ms | idle stop ms | exit status | all runs (ready / stop) |\n");
        md.append("|---|---:|---:|---:|---:|---|---|\n");
        for (Cell c : cells) {
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f | %s | %s / %s |%n", c.label(), c.boundMedian(),
                    c.readyMedian(), c.cpuMedian(), c.stopMedian(), distinct(c.stopStatus()), fmt(c.ready()), fmt(c.stop())));
        }
        md.append('\n');
        for (Cell c : cells) {
            md.append("- ").append(c.label()).append(": `").append(c.command()).append("`\n");
        }
        return md.append('\n').toString();
    }

    private static String distinct(int[] v) {
        List<String> out = new ArrayList<>();
        for (int s : v) {
            String t = Overlap.exit(s);
            if (!out.contains(t)) {
                out.add(t);
            }
        }
        return String.join(", ", out);
    }
}
