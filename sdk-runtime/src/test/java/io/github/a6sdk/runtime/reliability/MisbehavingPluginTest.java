package io.github.a6sdk.runtime.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.runtime.Runner;
import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Plugins that throw, linger, block, or build replies no frame can hold. */
@Timeout(60)
class MisbehavingPluginTest {
    private static final int TIMEOUT_MS = 1000;

    @TempDir Path dir;
    private Path sock;
    private Runner runner;
    private Harness.LogCapture log;

    private final AtomicReference<Thread> sleeperThread = new AtomicReference<>();
    private final AtomicReference<Thread> spinnerThread = new AtomicReference<>();
    private final AtomicBoolean releaseSpinner = new AtomicBoolean();
    private final AtomicReference<HttpResponse> lingering = new AtomicReference<>();
    private final CountDownLatch lateWriteDone = new CountDownLatch(1);
    private final AtomicInteger afterStopCalls = new AtomicInteger();
    private final java.util.List<Thread> probeThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicInteger probesInterrupted = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        sock = dir.resolve("p.sock");
        log = new Harness.LogCapture();
        TestPlugin thrower = TestPlugin.request("thrower", (c, req, resp) -> {
            throw new IllegalStateException("boom from thrower");
        });
        TestPlugin oom = TestPlugin.request("oom", (c, req, resp) -> {
            throw new OutOfMemoryError("simulated");
        });
        TestPlugin sleeper = TestPlugin.request("sleeper", (c, req, resp) -> {
            sleeperThread.set(Thread.currentThread());
            Thread.sleep(120_000);
        });
        TestPlugin spinner = TestPlugin.request("spinner", (c, req, resp) -> {
            spinnerThread.set(Thread.currentThread());
            while (!releaseSpinner.get()) {
                Thread.onSpinWait(); // ignores interrupts
            }
        });
        TestPlugin asker = TestPlugin.request("asker", (c, req, resp) -> {
            resp.setBody(String.valueOf(req.var("x")).getBytes(StandardCharsets.UTF_8));
        });
        TestPlugin lingerer = TestPlugin.request("lingerer", (c, req, resp) -> {
            resp.setStatus(403);
            resp.setBody("first".getBytes(StandardCharsets.UTF_8));
            lingering.set(resp);
            Thread late = new Thread(() -> {
                try {
                    Thread.sleep(100);
                    resp.setStatus(500);
                    resp.setBody("late".getBytes(StandardCharsets.UTF_8));
                    resp.headers().set("x-late", "1");
                } catch (InterruptedException ignored) {
                    // test over
                } finally {
                    lateWriteDone.countDown();
                }
            });
            late.setDaemon(true);
            late.start();
        });
        TestPlugin after = TestPlugin.request("after", (c, req, resp) -> afterStopCalls.incrementAndGet());
        TestPlugin huge = TestPlugin.request("huge", (c, req, resp) -> {
            resp.setStatus(200);
            resp.setBody(new byte[Rpc.MAX_PAYLOAD + 1]);
        });
        TestPlugin manyHeaders = TestPlugin.request("many-headers", (c, req, resp) -> {
            String value = "v".repeat(1 << 16);
            for (int i = 0; i < 300; i++) {
                resp.headers().add("x-h" + i, value);
            }
        });
        TestPlugin hugeResp = new TestPlugin("huge-resp", null, (c, resp) -> resp.setBody(new byte[20 << 20]));
        TestPlugin interruptProbe = TestPlugin.request("interrupt-probe", (c, req, resp) -> {
            probeThreads.add(Thread.currentThread());
            if (Thread.currentThread().isInterrupted()) {
                probesInterrupted.incrementAndGet();
            }
            resp.setStatus(200);
        });
        runner = Harness.start(sock, Harness.withEcho(thrower, oom, sleeper, spinner, asker, lingerer, after, huge,
                manyHeaders, hugeResp, interruptProbe), Map.of("A6_CALL_TIMEOUT_MS", String.valueOf(TIMEOUT_MS)));
    }

    @AfterEach
    void stop() throws Exception {
        releaseSpinner.set(true);
        runner.shutdown(100);
        log.close();
    }

    private static int errorCode(Reply r) {
        return assertInstanceOf(Reply.Error.class, r).code();
    }

    @Test
    void aPluginThatThrowsFailsOnlyItsCall() throws Exception {
        long bad = Harness.prepare(sock, "thrower", "");
        long good = Harness.prepare(sock, "echo", "ok");
        try (ApisixClient c = ApisixClient.connect(sock)) {
            assertEquals(Rpc.ERR_SERVICE_UNAVAILABLE, errorCode(c.call(bad, new CallRequest().id(5), new ExtraInfoAnswers())));
            // Same connection, next call: served.
            assertEquals("ok", assertInstanceOf(Reply.Stop.class, c.call(good, new CallRequest(), new ExtraInfoAnswers()))
                    .bodyAsString());
        }
        assertTrue(log.contains("plugin \"thrower\" threw java.lang.IllegalStateException: boom from thrower"),
                log.messages().toString());
        Harness.assertServes(sock);
    }

    @Test
    void aPluginThatRunsOutOfMemoryFailsOnlyItsCall() throws Exception {
        long bad = Harness.prepare(sock, "oom", "");
        long good = Harness.prepare(sock, "echo", "ok");
        try (ApisixClient c = ApisixClient.connect(sock)) {
            assertEquals(Rpc.ERR_SERVICE_UNAVAILABLE, errorCode(c.call(bad, new CallRequest(), new ExtraInfoAnswers())));
            assertEquals("ok", assertInstanceOf(Reply.Stop.class, c.call(good, new CallRequest(), new ExtraInfoAnswers()))
                    .bodyAsString());
        }
        assertTrue(log.contains("OutOfMemoryError: simulated"), log.messages().toString());
    }

    @Test
    void aPluginThatChangesTheResponseAfterReturningCannotAddAFrame() throws Exception {
        long token = Harness.prepare(sock, "lingerer", "", "after", "");
        long good = Harness.prepare(sock, "echo", "next");
        try (Harness.Raw raw = new Harness.Raw(sock)) {
            raw.send(Rpc.HTTP_REQ_CALL, Harness.reqCallPayload(1, token, "/", List.of(), List.of()));
            Harness.Frame reply = raw.read(5000);
            assertEquals(Rpc.HTTP_REQ_CALL, reply.type());
            assertTrue(lateWriteDone.await(5, TimeUnit.SECONDS));
            // The late change produced no second frame on this connection...
            assertFalse(raw.closedWithin(300), "connection closed");
            // ...and the next call on it gets its own reply.
            raw.send(Rpc.HTTP_REQ_CALL, Harness.reqCallPayload(2, good, "/", List.of(), List.of()));
            Harness.Frame next = raw.read(5000);
            assertEquals(Rpc.HTTP_REQ_CALL, next.type());
            assertTrue(new String(next.payload(), StandardCharsets.ISO_8859_1).contains("next"));
        }
        assertNotNull(lingering.get());
        assertEquals(0, afterStopCalls.get(), "a plugin after the one that stopped ran");
    }

    @Test
    void aBlockedPluginIsAbandonedInTimeAndItsThreadEnds() throws Exception {
        long token = Harness.prepare(sock, "sleeper", "");
        long start = System.nanoTime();
        try (ApisixClient c = ApisixClient.connect(sock)) {
            assertEquals(Rpc.ERR_SERVICE_UNAVAILABLE, errorCode(c.call(token, new CallRequest().id(77), new ExtraInfoAnswers())));
        }
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMillis < 30_000, "the timeout answered after " + tookMillis + " ms");
        assertTrue(log.await("HTTPReqCall 77 (plugins [sleeper]) timed out after", 2000), log.messages().toString());
        Thread t = sleeperThread.get();
        assertNotNull(t);
        assertBackInThePool(t);
        Harness.assertServes(sock);
        if (!t.isAlive()) {
            return; // a thread per connection (jnr): it ended with its connection, nothing to leak into
        }
        if (t.getName().startsWith("a6-spare") || t.getName().startsWith("a6-loop-")) {
            // The call started on an event loop's thread and was caught blocking it: that thread, waiting to
            // serve a loop again or serving one, no longer carries the interrupt meant for the timed-out call.
            assertFalse(t.isInterrupted(), "the loop thread kept the timed-out call's interrupt");
            return;
        }
        // The thread is reused: the interrupt meant for the timed-out call reaches no later call.
        long probe = Harness.prepare(sock, "interrupt-probe", "");
        for (int i = 0; i < 32 && !probeThreads.contains(t); i++) {
            try (ApisixClient c = ApisixClient.connect(sock)) {
                c.call(probe, new CallRequest().id(100 + i), new ExtraInfoAnswers());
            }
        }
        assertTrue(probeThreads.contains(t), "the timed-out call's worker served no later call: " + probeThreads);
        assertEquals(0, probesInterrupted.get(), "a later call on the worker saw the old call's interrupt");
    }

    /** The plugin returned and its worker thread waits for the next call (or ended): it was not leaked. */
    private static void assertBackInThePool(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (!t.isAlive() || idleWorker(t)) {
                return;
            }
            Thread.sleep(10);
        }
        fail("the plugin's thread is still busy: " + java.util.Arrays.toString(t.getStackTrace()));
    }

    private static boolean idleWorker(Thread t) {
        StackTraceElement[] stack = t.getStackTrace();
        boolean inPool = false;
        for (StackTraceElement e : stack) {
            if (e.getClassName().startsWith(MisbehavingPluginTest.class.getName())) {
                return false; // still in a plugin
            }
            inPool |= e.getClassName().endsWith(".Workers") && e.getMethodName().equals("work");
            // A call caught blocking an event loop's thread: once over, the thread waits to serve a loop, or serves one.
            inPool |= e.getClassName().endsWith(".Server") && e.getMethodName().equals("parkSpare");
            inPool |= e.getClassName().endsWith(".EventLoop") && e.getMethodName().equals("turn");
        }
        return inPool && (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING);
    }

    @Test
    void aPluginThatIgnoresInterruptsStillGetsItsCallAnsweredAndSocketFreed() throws Exception {
        long token = Harness.prepare(sock, "spinner", "");
        Harness.Raw raw = new Harness.Raw(sock);
        try {
            raw.send(Rpc.HTTP_REQ_CALL, Harness.reqCallPayload(8, token, "/", List.of(), List.of()));
            Harness.Frame reply = raw.read(10_000);
            assertEquals(Rpc.ERR_SERVICE_UNAVAILABLE, reply.errorCode());
            assertTrue(raw.closedWithin(10_000), "connection of the stuck call stays open");
            assertTrue(log.await("ignores interrupts", 5000), log.messages().toString());
            Harness.assertServes(sock);
        } finally {
            raw.close();
            releaseSpinner.set(true);
        }
        assertBackInThePool(spinnerThread.get());
    }

    @Test
    void aCallWaitingForAnExtraInfoAnswerThatNeverComesTimesOut() throws Exception {
        long token = Harness.prepare(sock, "asker", "");
        try (Harness.Raw raw = new Harness.Raw(sock)) {
            raw.send(Rpc.HTTP_REQ_CALL, Harness.reqCallPayload(9, token, "/", List.of(), List.of()));
            assertEquals(Rpc.EXTRA_INFO, raw.read(5000).type());
            // Never answer.
            Harness.Frame reply = raw.read(10_000);
            assertEquals(Rpc.ERR_SERVICE_UNAVAILABLE, reply.errorCode());
            assertNull(raw.read(5000), "connection left open after the timeout");
        }
        assertTrue(log.await("HTTPReqCall 9 (plugins [asker]) timed out", 2000), log.messages().toString());
        Harness.assertServes(sock);
    }

    @Test
    void aBodyLargerThanAFrameIsAnErrorReplyNotACorruptFrame() throws Exception {
        long token = Harness.prepare(sock, "huge", "");
        long good = Harness.prepare(sock, "echo", "fine");
        try (ApisixClient c = ApisixClient.connect(sock)) {
            assertEquals(Rpc.ERR_SERVICE_UNAVAILABLE, errorCode(c.call(token, new CallRequest(), new ExtraInfoAnswers())));
            assertEquals("fine", assertInstanceOf(Reply.Stop.class, c.call(good, new CallRequest(), new ExtraInfoAnswers()))
                    .bodyAsString());
        }
        assertTrue(log.contains("does not fit a frame"), log.messages().toString());
    }

    @Test
    void headersLargerThanAFrameAreAnErrorReply() throws Exception {
        long token = Harness.prepare(sock, "many-headers", "");
        long good = Harness.prepare(sock, "echo", "fine");
        try (ApisixClient c = ApisixClient.connect(sock)) {
            assertEquals(Rpc.ERR_SERVICE_UNAVAILABLE, errorCode(c.call(token, new CallRequest(), new ExtraInfoAnswers())));
            assertEquals("fine", assertInstanceOf(Reply.Stop.class, c.call(good, new CallRequest(), new ExtraInfoAnswers()))
                    .bodyAsString());
        }
        assertTrue(log.contains("exceeds the frame limit"), log.messages().toString());
    }

    @Test
    void aResponseBodyLargerThanAFrameIsAnErrorReply() throws Exception {
        long token = Harness.prepare(sock, "huge-resp", "");
        try (ApisixClient c = ApisixClient.connect(sock)) {
            assertEquals(Rpc.ERR_SERVICE_UNAVAILABLE, errorCode(c.respCall(token, 1, 200, List.of(), new ExtraInfoAnswers())));
        }
        assertTrue(log.contains("HTTPRespCall 1 (plugins [huge-resp]): the response body of 20971520 bytes"),
                log.messages().toString());
        Harness.assertServes(sock);
    }
}
