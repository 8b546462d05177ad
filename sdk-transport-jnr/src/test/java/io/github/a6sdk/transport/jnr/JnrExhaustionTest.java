package io.github.a6sdk.transport.jnr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.transport.JdkUnixTransport;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The jnr transport under a low open-files limit: as on the JDK transport, the runner refuses what it cannot hold and serves on. */
@Timeout(120)
class JnrExhaustionTest {
    @TempDir Path dir;

    private static long prepare(Path sock, String body) throws IOException {
        try (ApisixClient c = ApisixClient.connect(sock)) {
            return assertInstanceOf(Reply.Token.class, c.prepareConf("k", List.of(Field.of("echo", body)))).token();
        }
    }

    private static String call(ApisixClient c, long token) throws IOException {
        return assertInstanceOf(Reply.Stop.class, c.call(token, new CallRequest(), new ExtraInfoAnswers())).bodyAsString();
    }

    @Test
    void moreConnectionsThanTheOpenFilesLimitAllowsAreRefusedWhileTheRunnerServesOn() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "needs prlimit (util-linux) to start a runner with a low open-files limit");
        Path sock = dir.resolve("jnr-limit.sock");
        Path log = dir.resolve("runner.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/prlimit", "--nofile=160:160", java, "-Xmx64m", "-cp",
                System.getProperty("java.class.path"), JnrChildMain.class.getName());
        pb.environment().put("APISIX_LISTEN_ADDRESS", "unix:" + sock);
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        Process runner = pb.start();
        List<SocketChannel> flood = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!(Files.exists(sock) && JdkUnixTransport.isLive(sock) && Files.readString(log).contains("listening on"))) {
                assertTrue(runner.isAlive() && System.nanoTime() < deadline, "runner did not listen: " + Files.readString(log));
                Thread.sleep(20);
            }
            assertTrue(Files.readString(log).contains("the open-files limit is 160"), Files.readString(log));
            long token = prepare(sock, "pooled");
            try (ApisixClient pooled = ApisixClient.connect(sock)) {
                assertEquals("pooled", call(pooled, token));
                for (int i = 0; i < 300; i++) {
                    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                    try {
                        ch.connect(UnixDomainSocketAddress.of(sock));
                        flood.add(ch);
                    } catch (IOException e) {
                        ch.close();
                    }
                }
                long refused = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!Files.readString(log).contains("refusing a connection")) {
                    assertTrue(System.nanoTime() < refused, "no connection refused: " + Files.readString(log));
                    Thread.sleep(20);
                }
                for (int i = 0; i < 20; i++) {
                    assertEquals("pooled", call(pooled, token), "the pooled connection is served during the flood");
                }
                assertTrue(runner.isAlive(), Files.readString(log));
                for (SocketChannel ch : flood) {
                    ch.close();
                }
                flood.clear();
                long served = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                while (true) {
                    try {
                        assertEquals("after", call(ApisixClient.connect(sock), prepare(sock, "after")));
                        break;
                    } catch (IOException e) {
                        assertTrue(System.nanoTime() < served, "no new connection served within 1 s of the flood's end: " + e);
                        Thread.sleep(10);
                    }
                }
            }
            String out = Files.readString(log);
            assertTrue(out.contains("refusing a connection"), out);
            assertTrue(!out.contains("stops serving"), out);
            assertTrue(out.lines().count() < 20, out);
        } finally {
            for (SocketChannel ch : flood) {
                ch.close();
            }
            runner.destroy();
            runner.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
