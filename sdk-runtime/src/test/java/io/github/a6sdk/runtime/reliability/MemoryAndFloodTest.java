package io.github.a6sdk.runtime.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Many large route configs, and a flood of bad frames, against a runner with the README's JVM flags. */
@Timeout(300)
class MemoryAndFloodTest {
    /** The flags the README recommends for APISIX's ext-plugin.cmd. */
    static final List<String> README_FLAGS = List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx32m", "-Xmn8m", "-Xss256k",
            "-XX:ReservedCodeCacheSize=16m", "-XX:MaxMetaspaceSize=32m", "-XX:CICompilerCount=2");

    @TempDir Path dir;

    /** A 2 KB config that names its route: a token list and a header map, as a multi-tenant gateway has. */
    static String config(int route) {
        StringBuilder sb = new StringBuilder(2100).append("{\"route\":").append(route).append(",\"tokens\":[");
        for (int t = 0; t < 40; t++) {
            sb.append(t == 0 ? "" : ",").append("\"tok-").append(route).append('-').append(t).append("-0123456789abcdef\"");
        }
        sb.append("],\"headers\":{");
        for (int h = 0; sb.length() < 2000; h++) {
            sb.append(h == 0 ? "" : ",").append("\"x-h").append(h).append("\":\"v-").append(route).append("\"");
        }
        return sb.append("}}").toString();
    }

    /** PrepareConf then a call, again on CONF_TOKEN_NOT_FOUND as APISIX does (3 attempts): the answer, or why not. */
    private static String prepareAndCall(ApisixClient c, int route) throws IOException {
        String conf = config(route);
        for (int attempt = 0; attempt < 3; attempt++) {
            Reply prepared = c.prepareConf("route#" + route + "#ext-plugin-pre-req#1", List.of(Field.of("echo", conf)));
            if (!(prepared instanceof Reply.Token t)) {
                return "route " + route + ": PrepareConf answered " + prepared;
            }
            Reply r = c.call(t.token(), new CallRequest().path("/"), new ExtraInfoAnswers());
            if (r instanceof Reply.Error e && e.code() == Rpc.ERR_CONF_TOKEN_NOT_FOUND) {
                continue;
            }
            Reply.Stop stop = assertInstanceOf(Reply.Stop.class, r);
            return conf.equals(stop.bodyAsString()) ? null : "route " + route + " answered with another route's config";
        }
        return "route " + route + ": conf token not found, 3 attempts";
    }

    @Test
    void aHundredThousandRoutesOf2KbKeepTheRunnerAnsweringWithTheReadmesFlags() throws Exception {
        Path sock = dir.resolve("routes.sock");
        int routes = 100_000;
        int threads = 4;
        try (ChildRunner child = ChildRunner.start(sock, dir.resolve("routes.log"), Map.of(),
                ChildRunner.command(README_FLAGS))) {
            child.awaitListening(sock);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                AtomicInteger next = new AtomicInteger();
                List<Future<List<String>>> results = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    results.add(pool.submit(() -> {
                        List<String> wrong = new ArrayList<>();
                        try (ApisixClient c = ApisixClient.connect(sock)) {
                            for (int r; (r = next.getAndIncrement()) < routes; ) {
                                String why = prepareAndCall(c, r);
                                if (why != null) {
                                    wrong.add(why);
                                }
                            }
                            // The first routes again: long evicted, so APISIX's retry prepares them again.
                            for (int r = 0; r < 200; r++) {
                                String why = prepareAndCall(c, r);
                                if (why != null) {
                                    wrong.add(why);
                                }
                            }
                        }
                        return wrong;
                    }));
                }
                for (Future<List<String>> f : results) {
                    List<String> wrong = f.get(250, TimeUnit.SECONDS);
                    assertTrue(wrong.isEmpty(), wrong.size() + " wrong answers, e.g. " + wrong.subList(0, Math.min(3, wrong.size()))
                            + "\n" + child.output());
                }
            } finally {
                pool.shutdownNow();
            }
            assertTrue(child.process.isAlive(), child.output());
            Harness.assertServes(sock);
            String out = child.output();
            assertTrue(!out.contains("OutOfMemoryError") && !out.contains("out of memory"), out);
        }
    }

    @Test
    void aFloodOfStalledOversizedFramesStaysAFewLinesOfLog() throws Exception {
        Path sock = dir.resolve("flood.sock");
        try (ChildRunner child = ChildRunner.start(sock, dir.resolve("flood.log"), Map.of("A6_CALL_TIMEOUT_MS", "300"),
                ChildRunner.command(README_FLAGS))) {
            child.awaitListening(sock);
            long before = child.output().lines().count();
            List<Harness.Raw> flood = new ArrayList<>();
            try {
                for (int i = 0; i < 1000; i++) {
                    Harness.Raw raw = new Harness.Raw(sock);
                    // a PrepareConf header that announces 16 MiB, then 10 bytes, then nothing
                    raw.write(new byte[] {Rpc.PREPARE_CONF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
                    flood.add(raw);
                }
                int closed = 0;
                for (Harness.Raw raw : flood) {
                    closed += raw.closedWithin(10_000) ? 1 : 0;
                }
                assertEquals(1000, closed, "every stalled connection is closed by the runner");
            } finally {
                for (Harness.Raw raw : flood) {
                    raw.close();
                }
            }
            Harness.assertServes(sock);
            // The first 5 in full, then one line that counts the others once the 10 s interval is over.
            String out = child.output();
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                    !out.contains("more connections closed on a stalled frame in the last") && System.nanoTime() < deadline; ) {
                Thread.sleep(100);
                out = child.output();
            }
            assertTrue(out.contains("995 more connections closed on a stalled frame in the last"), out);
            long lines = out.lines().count() - before;
            assertTrue(lines <= 1 + 5 + 1, "1,000 stalled frames made " + lines + " lines of log:\n" + out);
        }
    }
}
