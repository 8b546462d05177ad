package io.github.a6sdk.runtime.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Reply;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Running out of file descriptors never stops the runner: a runner in a child JVM with an open-files
 * limit of 128 (prlimit, as a shell's or a unit's default limit would be), flooded with more
 * connections than that allows.
 */
@Timeout(120)
class ExhaustionTest {
    @TempDir Path dir;

    private static List<String> limited(int nofile) {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "needs prlimit (util-linux) to start a runner with a low open-files limit");
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/prlimit", "--nofile=" + nofile + ":" + nofile));
        cmd.addAll(ChildRunner.command(ChildRunner.SMALL_JVM));
        return cmd;
    }

    private static String call(ApisixClient c, long token) throws IOException {
        return assertInstanceOf(Reply.Stop.class, c.call(token, new CallRequest().path("/"), new ExtraInfoAnswers())).bodyAsString();
    }

    /** Opens up to {@code n} connections and keeps them (a connect may fail once the backlog is full). */
    private static List<SocketChannel> flood(Path sock, int n) {
        List<SocketChannel> open = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    ch.connect(UnixDomainSocketAddress.of(sock));
                    open.add(ch);
                } catch (IOException e) {
                    ch.close();
                }
            } catch (IOException e) {
                break; // this process is out of descriptors itself
            }
        }
        return open;
    }

    private static void closeAll(List<SocketChannel> chs) {
        for (SocketChannel ch : chs) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** A new connection is served: PrepareConf and a call; tried until {@code millis} have passed. */
    private static void servedWithin(Path sock, long millis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            try {
                Harness.assertServes(sock);
                return;
            } catch (IOException | AssertionError e) {
                last = e;
                Thread.sleep(10);
            }
        }
        throw new AssertionError("no new connection served within " + millis + " ms", last);
    }

    @Test
    void moreConnectionsThanTheOpenFilesLimitAllowsAreRefusedWhileTheRunnerServesOn() throws Exception {
        Path sock = dir.resolve("limit.sock");
        try (ChildRunner child = ChildRunner.start(sock, dir.resolve("limit.log"), Map.of(), limited(128))) {
            child.awaitListening(sock);
            String out = child.output();
            assertTrue(out.contains("the open-files limit is 128"), out);
            long token = Harness.prepare(sock, "echo", "pooled");
            try (ApisixClient pooled = ApisixClient.connect(sock)) {
                assertEquals("pooled", call(pooled, token));
                List<SocketChannel> flood = flood(sock, 300);
                try {
                    assertTrue(flood.size() > 100, "the flood got " + flood.size() + " connections");
                    for (int i = 0; i < 20; i++) {
                        assertEquals("pooled", call(pooled, token), "the pooled connection is served during the flood");
                    }
                    assertTrue(child.process.isAlive(), child.output());
                } finally {
                    closeAll(flood);
                }
                servedWithin(sock, 1000);
                assertEquals("pooled", call(pooled, token));
            }
            out = child.output();
            assertTrue(out.contains("refusing a connection"), out);
            assertTrue(!out.contains("stops serving"), out);
            long lines = out.lines().count();
            assertTrue(lines < 20, "the flood made " + lines + " lines of log:\n" + out);
        }
    }

    @Test
    void whenAPluginHasTakenEveryDescriptorTheRunnerPausesAcceptingAndResumesOnceTheyAreFree() throws Exception {
        Path sock = dir.resolve("emfile.sock");
        try (ChildRunner child = ChildRunner.start(sock, dir.resolve("emfile.log"), Map.of(), limited(256))) {
            child.awaitListening(sock);
            long echo = Harness.prepare(sock, "echo", "pooled");
            long grab = Harness.prepare(sock, "hog", "grab");
            long free = Harness.prepare(sock, "hog", "free");
            try (ApisixClient pooled = ApisixClient.connect(sock)) {
                assertEquals("pooled", call(pooled, echo));
                int held;
                try {
                    held = Integer.parseInt(call(pooled, grab)); // every descriptor the process has left
                } catch (IOException e) {
                    throw new AssertionError(child.output(), e);
                }
                assertTrue(held > 10, "the hog took " + held);
                List<SocketChannel> waiting = flood(sock, 20); // queued in the backlog: accept fails with EMFILE
                try {
                    Thread.sleep(300);
                    assertTrue(child.process.isAlive(), child.output());
                    assertEquals("pooled", call(pooled, echo), "the connection the runner holds is served meanwhile");
                    assertEquals("0", call(pooled, free));
                    servedWithin(sock, 1000);
                } finally {
                    closeAll(waiting);
                }
            }
            String out = child.output();
            assertTrue(out.contains("cannot accept connections on " + sock), out);
            assertTrue(out.contains("accepting connections again on " + sock), out);
            assertEquals(1, out.lines().filter(l -> l.contains("cannot accept connections")).count(), "one line per episode:\n" + out);
            assertTrue(!out.contains("stops serving"), out);
        }
    }
}
