package io.github.a6sdk.transport.jnr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.transport.JdkUnixTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user of the jnr transport gets from APISIX's stop (SIGTERM, then SIGKILL 1 s later), on
 * whatever JDK runs the build (CI runs it on 17 and on the newest JDK installed): a runner process
 * serving over jnr-unixsocket finishes the call in flight, closes the idle connection, removes its
 * socket file and exits 0 within the second.
 */
@Timeout(60)
class JnrSigtermTest {
    @TempDir Path dir;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    @Test
    void sigtermDrainsTheCallInFlightAndExitsZeroWithinOneSecond() throws Exception {
        Path sock = dir.resolve("jnr.sock");
        Path log = dir.resolve("runner.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                JnrChildMain.class.getName());
        pb.environment().put("APISIX_LISTEN_ADDRESS", "unix:" + sock);
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        Process runner = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // The socket answers a moment before the start line is written: wait for both.
            while (!(Files.exists(sock) && JdkUnixTransport.isLive(sock) && Files.readString(log).contains("listening on"))) {
                assertTrue(runner.isAlive() && System.nanoTime() < deadline, "runner did not listen: " + Files.readString(log));
                Thread.sleep(20);
            }
            assertTrue(Files.readString(log).contains("transport jnr-unixsocket"), Files.readString(log));
            long token;
            try (ApisixClient c = ApisixClient.connect(sock)) {
                token = assertInstanceOf(Reply.Token.class, c.prepareConf("k", List.of(Field.of("slow", "400")))).token();
            }
            CountDownLatch started = new CountDownLatch(1);
            ExtraInfoAnswers answers = new ExtraInfoAnswers() {
                @Override
                public byte[] var(String name) {
                    started.countDown();
                    return super.var(name);
                }
            };
            Future<Reply> inFlight = pool.submit(() -> {
                try (ApisixClient busy = ApisixClient.connect(sock)) {
                    return busy.call(token, new CallRequest().id(1), answers);
                }
            });
            try (ApisixClient idle = ApisixClient.connect(sock)) {
                assertTrue(started.await(10, TimeUnit.SECONDS), "the call did not start");
                long signalled = System.nanoTime();
                runner.destroy(); // SIGTERM
                assertEquals("slow-done", assertInstanceOf(Reply.Stop.class, inFlight.get(5, TimeUnit.SECONDS)).bodyAsString());
                assertTrue(runner.waitFor(5, TimeUnit.SECONDS), "runner still running 5 s after SIGTERM");
                long tookMillis = (System.nanoTime() - signalled) / 1_000_000;
                System.out.println("jnr runner on Java " + Runtime.version() + ": exit " + runner.exitValue() + " "
                        + tookMillis + " ms after SIGTERM, with a 400 ms call in flight");
                assertEquals(0, runner.exitValue(), Files.readString(log));
                assertTrue(tookMillis < 1000, "runner took " + tookMillis + " ms to exit; APISIX kills it after 1 s");
                assertFalse(Files.exists(sock), "socket file left behind");
                assertThrows(IOException.class, () -> idle.prepareConf("k2", List.of()), "the idle connection was not closed");
            }
        } finally {
            runner.destroyForcibly();
        }
    }
}
