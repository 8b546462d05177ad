package io.github.a6sdk.runtime.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000,000 calls over 16 connections through the real protocol against a runner in its own JVM
 * (-Xmx64m -XX:+UseSerialGC), mixing Stop, Rewrite, ExtraInfo and post-resp chains; reports the
 * runner's RSS. Not in the default run: {@code mvn -pl sdk-runtime test -Dgroups=soak -DexcludedGroups=}
 * (RELIABILITY.md). {@code -Da6.soak.calls=N} changes the number of calls.
 */
@Tag("soak")
class SoakTest {
    private static final int CONNECTIONS = 16;
    private static final int SAMPLES = 10;

    @TempDir Path dir;

    static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }

    @Test
    void millionCallsWithFlatMemoryAndNoErrors() throws Exception {
        long total = Long.getLong("a6.soak.calls", 1_000_000L);
        Path sock = dir.resolve("soak.sock");
        List<String> jvm = List.of("-Xmx64m", "-XX:+UseSerialGC", "-Xss512k");
        try (ChildRunner child = ChildRunner.start(sock, dir.resolve("soak.log"), Map.of("A6_LOG_LEVEL", "WARN"),
                ChildRunner.command(jvm))) {
            child.awaitListening(sock);
            long pid = child.process.pid();
            long rssStart = rssKib(pid);
            AtomicLong done = new AtomicLong();
            AtomicLong errors = new AtomicLong();
            ConcurrentLinkedQueue<String> firstErrors = new ConcurrentLinkedQueue<>();
            long[] rss = new long[SAMPLES + 1];
            long[] at = new long[SAMPLES + 1];
            ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
            long startNanos = System.nanoTime();
            List<Future<?>> workers = new ArrayList<>();
            long perConnection = total / CONNECTIONS;
            for (int w = 0; w < CONNECTIONS; w++) {
                int worker = w;
                workers.add(pool.submit(() -> {
                    work(sock, worker, perConnection, done, errors, firstErrors);
                    return null;
                }));
            }
            // Sample RSS at every tenth of the calls.
            int sample = 0;
            long expected = perConnection * CONNECTIONS;
            while (sample <= SAMPLES) {
                long target = expected * sample / SAMPLES;
                if (done.get() >= target || allDone(workers)) {
                    rss[sample] = rssKib(pid);
                    at[sample] = done.get();
                    sample++;
                    continue;
                }
                Thread.sleep(5);
            }
            for (Future<?> f : workers) {
                f.get(30, TimeUnit.MINUTES);
            }
            pool.shutdown();
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            StringBuilder report = new StringBuilder();
            report.append(String.format("soak: %d calls over %d connections in %.1f s (%.0f calls/s), %d errors%n",
                    done.get(), CONNECTIONS, seconds, done.get() / seconds, errors.get()));
            report.append(String.format("runner JVM: %s; RSS before load %d KiB%n", jvm, rssStart));
            for (int i = 0; i <= SAMPLES; i++) {
                report.append(String.format("  after %8d calls: VmRSS %6d KiB%n", at[i], rss[i]));
            }
            System.out.print(report);
            Files.writeString(Path.of(System.getProperty("a6.soak.report", "target/soak-report.txt")), report);
            assertEquals(0, errors.get(), "errors: " + firstErrors);
            assertEquals(expected, done.get());
            assertTrue(child.process.isAlive(), "runner died: " + child.output());
            // Flat after warm-up: from the 20% sample on, no sample exceeds it by more than 10% + 16 MiB.
            long base = rss[2];
            for (int i = 3; i <= SAMPLES; i++) {
                assertTrue(rss[i] <= base + base / 10 + 16 * 1024,
                        "RSS grew after warm-up: " + base + " KiB at 20%, " + rss[i] + " KiB at " + (i * 10) + "%\n" + report);
            }
            child.process.destroy();
            assertTrue(child.process.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, child.process.exitValue(), child.output());
        }
    }

    private static boolean allDone(List<Future<?>> workers) {
        for (Future<?> f : workers) {
            if (!f.isDone()) {
                return false;
            }
        }
        return true;
    }

    private static void work(Path sock, int worker, long calls, AtomicLong done, AtomicLong errors,
            ConcurrentLinkedQueue<String> firstErrors) throws IOException {
        ApisixClient c = ApisixClient.connect(sock);
        try {
            long echo = token(c, "route#" + worker + "#ext-plugin-pre-req#1", "echo", "hello-" + worker);
            long rewrite = token(c, "route#" + worker + "#ext-plugin-post-req#1", "rewrite", "");
            long vars = token(c, "route#" + worker + "#ext-plugin-pre-req#2", "vars", "");
            long resp = token(c, "route#" + worker + "#ext-plugin-post-resp#1", "resp", "");
            ExtraInfoAnswers answers = new ExtraInfoAnswers()
                    .var("remote_addr", "10.0.0." + worker)
                    .var("route_id", "r" + worker)
                    .requestBody("body-of-request")
                    .responseBody("upstream-body-0123456789");
            for (long i = 0; i < calls; i++) {
                try {
                    String problem = null;
                    switch ((int) (i % 4)) {
                        case 0: {
                            Reply r = c.call(echo, new CallRequest().id(i).path("/a"), answers);
                            if (!(r instanceof Reply.Stop) || !("hello-" + worker).equals(((Reply.Stop) r).bodyAsString())) {
                                problem = "echo: " + r;
                            }
                            break;
                        }
                        case 1: {
                            Reply r = c.call(rewrite, new CallRequest().id(i).path("/p" + (i & 7)).header("x-id", "7"), answers);
                            if (!(r instanceof Reply.Rewrite) || !("/rewritten/p" + (i & 7)).equals(((Reply.Rewrite) r).path())) {
                                problem = "rewrite: " + r;
                            }
                            break;
                        }
                        case 2: {
                            Reply r = c.call(vars, new CallRequest().id(i), answers);
                            String want = "10.0.0." + worker + "|r" + worker + "|15";
                            if (!(r instanceof Reply.Stop) || !want.equals(((Reply.Stop) r).bodyAsString())) {
                                problem = "vars: " + r;
                            }
                            break;
                        }
                        default: {
                            Reply r = c.respCall(resp, i, 200, List.of(Field.of("Content-Type", "text/plain")), answers);
                            if (!(r instanceof Reply.RespCall) || !"wrapped:24".equals(((Reply.RespCall) r).bodyAsString())) {
                                problem = "resp: " + r;
                            }
                        }
                    }
                    if (problem != null) {
                        errors.incrementAndGet();
                        if (firstErrors.size() < 10) {
                            firstErrors.add(problem);
                        }
                    }
                } catch (IOException e) {
                    errors.incrementAndGet();
                    if (firstErrors.size() < 10) {
                        firstErrors.add(e.toString());
                    }
                    c.close();
                    c = ApisixClient.connect(sock);
                }
                done.incrementAndGet();
            }
        } finally {
            c.close();
        }
    }

    private static long token(ApisixClient c, String key, String plugin, String config) throws IOException {
        Reply r = c.prepareConf(key, List.of(Field.of(plugin, config)));
        return ((Reply.Token) r).token();
    }
}
