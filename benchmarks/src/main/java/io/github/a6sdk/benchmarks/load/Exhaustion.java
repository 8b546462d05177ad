package io.github.a6sdk.benchmarks.load;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Running out of open files (issue 23), as an operator meets it: the runner started with an
 * open-files limit of {@code limit} (through {@code prlimit}, as a shell's or a unit's default would
 * set it), then {@code flood} connections opened at once and held. Measured per runner: whether it
 * is alive and its socket served, whether a pooled connection opened before the flood is answered
 * during it, the runner's CPU while the flood is held, and how long after the flood closes a new
 * connection is served.
 */
final class Exhaustion {
    record Cell(String runner, int limit, int flood, int connected, boolean alive, int pooledOk, int pooledTried,
            double cpuMsPerSecond, double recoveryMs, String notes) {}

    private Exhaustion() {}

    static RunnerProcess.Spec limited(RunnerProcess.Spec spec, int limit) {
        List<String> cmd = new ArrayList<>(List.of("prlimit", "--nofile=" + limit + ":" + limit));
        cmd.addAll(spec.command());
        return new RunnerProcess.Spec(spec.label(), cmd, spec.env(), spec.artifact());
    }

    static Cell measure(RunnerProcess.Spec spec, Path base, int limit, int flood, long holdMs) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(base.resolve("exhaustion-" + spec.label()));
        Path p = dir.resolve("runner.sock");
        Files.deleteIfExists(p);
        RunnerProcess r = RunnerProcess.launch(limited(spec, limit), dir, p, "runner");
        List<SocketChannel> held = new ArrayList<>();
        try {
            r.awaitReady(60_000);
            ApisixLikeClient.Route route = ApisixLikeClient.Route.say(1, "1");
            long token = Wire.prepareConf(p, route.key(), route.conf());
            FrameConn pooled = FrameConn.connect(p);
            int tried = 0;
            int ok = 0;
            try {
                ok += callOk(pooled, token, route.body()) ? 1 : 0;
                tried++;
                for (int i = 0; i < flood; i++) {
                    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                    try {
                        ch.connect(UnixDomainSocketAddress.of(p));
                        held.add(ch);
                    } catch (IOException e) {
                        ch.close();
                    }
                }
                Thread.sleep(500);
                long cpu0 = ProcStat.cpuNanos(r.pid());
                long t0 = System.nanoTime();
                long end = t0 + TimeUnit.MILLISECONDS.toNanos(holdMs);
                while (System.nanoTime() < end) {
                    tried++;
                    ok += callOk(pooled, token, route.body()) ? 1 : 0;
                    Thread.sleep(100);
                }
                double cpu = (ProcStat.cpuNanos(r.pid()) - cpu0) / 1e6 / ((System.nanoTime() - t0) / 1e9);
                boolean alive = r.process.isAlive();
                for (SocketChannel ch : held) {
                    ch.close();
                }
                int connected = held.size();
                held.clear();
                long closed = System.nanoTime();
                double recovery = Double.NaN;
                while (alive && System.nanoTime() - closed < TimeUnit.SECONDS.toNanos(10)) {
                    try {
                        long t = Wire.prepareConf(p, route.key(), route.conf());
                        try (FrameConn fresh = FrameConn.connect(p)) {
                            if (callOk(fresh, t, route.body())) {
                                recovery = (System.nanoTime() - closed) / 1e6;
                                break;
                            }
                        }
                    } catch (IOException e) {
                        Thread.sleep(5);
                    }
                }
                Cell c = new Cell(spec.label(), limit, flood, connected, r.process.isAlive(), ok, tried, cpu, recovery,
                        r.process.isAlive() ? "" : "exited: " + r.lastLogLine());
                System.err.printf(Locale.ROOT, "  [%s exhaustion] limit %d, %d of %d connected; alive %s; pooled %d/%d answered;"
                        + " CPU %.1f ms/s while held; new connection served %.0f ms after the flood closed %s%n", c.runner(), limit,
                        connected, flood, c.alive(), ok, tried, cpu, recovery, c.notes());
                return c;
            } finally {
                pooled.close();
            }
        } finally {
            for (SocketChannel ch : held) {
                ch.close();
            }
            r.close();
        }
    }

    /** One HTTPReqCall on {@code c}: answered with the route's Stop body. */
    private static boolean callOk(FrameConn c, long token, String body) {
        try {
            c.write(Wire.HTTP_REQ_CALL, Wire.reqCall(token, new byte[] {127, 0, 0, 1}, 0, "/", List.<String[]>of(new String[] {"a", "1"}),
                    List.<String[]>of(new String[] {"host", "x"})));
            if (c.read() != Wire.HTTP_REQ_CALL) {
                return false;
            }
            return body.equals(ApisixLikeClient.stopBody(io.github.api7.A6.HTTPReqCall.Resp.getRootAsResp(c.payload())));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static String report(List<Cell> cells, long holdMs) {
        StringBuilder md = new StringBuilder("### Out of open files (issue 23)\n\n");
        md.append(String.format(Locale.ROOT, "Each runner started through `prlimit --nofile=L:L`, then N connections opened at once"
                + " and held for %.1f s. Pooled: calls on a connection opened before the flood, one every 100 ms while it"
                + " is held. CPU: the runner's user + system time per second while the flood is held. Recovery: from"
                + " closing the flood until a new connection's PrepareConf and call are answered.%n%n", holdMs / 1000.0));
        md.append("| runner | limit L | flood N | connected | alive after | pooled calls answered | CPU ms/s while held |"
                + " recovery ms | notes |\n|---|---:|---:|---:|---|---:|---:|---:|---|\n");
        for (Cell c : cells) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %s | %d of %d | %.1f | %.0f | %s |%n", c.runner(), c.limit(),
                    c.flood(), c.connected(), c.alive() ? "yes" : "**no**", c.pooledOk(), c.pooledTried(), c.cpuMsPerSecond(),
                    c.recoveryMs(), c.notes().replace("|", "\\|")));
        }
        return md.append('\n').toString();
    }
}
