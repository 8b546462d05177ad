package io.github.a6sdk.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.PluginCatalog;
import io.github.a6sdk.runtime.Runner;
import io.github.a6sdk.runtime.RunnerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A smoke-sized run of the load generator against our runner serving the seven benchmark plugins
 * (and against the Go runner when its binary is beside the repository): a fraction of a second per
 * scenario, asserting only that every reply is right. No speed assertion.
 */
class SmokeBenchmarkTest {
    private static Path dir;
    private static Runner runner;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("a6-bench-smoke");
        assertEquals(List.of("noop", "respmod", "rewrite", "say", "sleep", "throw", "vars"),
                PluginCatalog.load(SmokeBenchmarkTest.class.getClassLoader()).names());
        runner = startRunner("ours.sock", "ERROR");
    }

    /** Our runner with the seven benchmark plugins, on {@code socket} in the test's directory. */
    private static Runner startRunner(String socket, String logLevel) throws Exception {
        RunnerConfig config = RunnerConfig.fromEnvironment(Map.of(
                "APISIX_LISTEN_ADDRESS", "unix:" + dir.resolve(socket),
                "A6_EXIT_WITH_PARENT", "false",
                "A6_LOG_LEVEL", logLevel));
        return new Runner(config, PluginCatalog.load(SmokeBenchmarkTest.class.getClassLoader())).start();
    }

    @AfterAll
    static void stop() {
        if (runner != null) {
            runner.shutdown(500);
        }
    }

    static LoadGen.Options options(Path socket, String scenario) {
        LoadGen.Options o = new LoadGen.Options();
        o.socket = socket;
        o.pid = ProcessHandle.current().pid();
        o.scenario = scenario;
        o.connections = 2;
        o.warmupMs = 100;
        o.measureMs = 300;
        return o;
    }

    @ParameterizedTest
    @ValueSource(strings = {"noop", "say", "rewrite", "vars", "respmod", "throw", "chain5"})
    void everyReplyIsRight(String scenario) throws Exception {
        Result r = LoadGen.run(options(runner.socket(), scenario));
        assertEquals(0, r.errors(), () -> "wrong replies: " + r.firstError());
        assertTrue(r.calls() > 0, "no call measured");
    }

    /** The event-loop client (as nginx drives its connections): the same checks, ExtraInfo rounds and failures included. */
    @ParameterizedTest
    @ValueSource(strings = {"noop", "say", "vars", "respmod", "throw"})
    void everyReplyIsRightWithClientLoops(String scenario) throws Exception {
        LoadGen.Options o = options(runner.socket(), scenario);
        o.connections = 5;
        o.clientLoops = 2;
        Result r = LoadGen.run(o);
        assertEquals(0, r.errors(), () -> "wrong replies: " + r.firstError());
        assertTrue(r.calls() > 0, "no call measured");
    }

    @Test
    void clientLoopsMakeExactlyTheCallsAsked() throws Exception {
        LoadGen.Options o = options(runner.socket(), "say");
        o.connections = 7;
        o.clientLoops = 3;
        o.fixedCalls = 1000;
        Result r = LoadGen.run(o);
        assertEquals(0, r.errors(), () -> "wrong replies: " + r.firstError());
        assertEquals(1000, r.calls());
    }

    /** A runner that goes away mid-run: the loop client counts errors, says what failed, and the run still ends. */
    @Test
    void clientLoopsCountARunnerThatGoesAway() throws Exception {
        Runner going = startRunner("going.sock", "OFF");
        LoadGen.Options o = options(going.socket(), "say");
        o.connections = 4;
        o.clientLoops = 2;
        Thread stopper = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            going.shutdown(100);
        });
        stopper.start();
        Result r = LoadGen.run(o);
        stopper.join();
        assertTrue(r.errors() > 0, "the runner went away and no error was counted");
        assertTrue(r.firstError().startsWith("reconnect") || r.firstError().startsWith("I/O"), r.firstError());
    }

    @Test
    void scalingShapes() throws Exception {
        LoadGen.Options headers = options(runner.socket(), "noop");
        headers.headers = 1000;
        Result h = LoadGen.run(headers);
        assertEquals(0, h.errors(), () -> "wrong replies: " + h.firstError());
        LoadGen.Options routes = options(runner.socket(), "noop");
        routes.routes = 200;
        Result r = LoadGen.run(routes);
        assertEquals(0, r.errors(), () -> "wrong replies: " + r.firstError());
        LoadGen.Options fixed = options(runner.socket(), "say");
        fixed.fixedCalls = 1000;
        Result f = LoadGen.run(fixed);
        assertEquals(0, f.errors(), () -> "wrong replies: " + f.firstError());
        assertEquals(1000, f.calls());
    }

    @Test
    void sleepBurstAnswersEveryConnection() throws Exception {
        LoadGen.Options o = options(runner.socket(), "sleep");
        o.connections = 4;
        assertTrue(LoadGen.burst(o) > 0, "a sleep call got a wrong reply");
    }

    /** The restart cells' APISIX-like client: each route answers with its own name; pooled connections carry on. */
    @Test
    void apisixLikeClientGetsEachRoutesOwnReply() {
        try (ApisixLikeClient client = new ApisixLikeClient(runner.socket(), 5000)) {
            ApisixLikeClient.Worker w = client.worker();
            List<ApisixLikeClient.Route> routes = Overlap.routes(32, 0, "smoke");
            for (int i = 0; i < 96; i++) {
                assertEquals(ApisixLikeClient.Outcome.OK, client.call(w, routes.get(i % 32), i + 1),
                        () -> "failures " + client.failures + ", first wrong " + client.firstWrong.get());
            }
            assertEquals(96, client.ok.sum());
            assertEquals(0, client.failed.sum() + client.wrong.sum() + client.tokenNotFound.sum());
        }
    }

    /** A token kept from an earlier runner: CONF_TOKEN_NOT_FOUND, caches flushed, prepared again, then right. */
    @Test
    void apisixLikeClientPreparesAgainOnAnUnknownToken() {
        try (ApisixLikeClient client = new ApisixLikeClient(runner.socket(), 5000)) {
            ApisixLikeClient.Route route = ApisixLikeClient.Route.say(7, "stale");
            client.remember(route, 0x7FFF_FFF0L);
            assertEquals(ApisixLikeClient.Outcome.OK, client.call(client.worker(), route, 1), () -> "" + client.failures);
            assertEquals(1, client.tokenNotFound.sum());
            assertEquals(1, client.ok.sum());
        }
    }

    /** No socket: the call fails at once (APISIX's 503), no retry. */
    @Test
    void apisixLikeClientFailsWithoutASocket() {
        try (ApisixLikeClient client = new ApisixLikeClient(dir.resolve("missing.sock"), 5000)) {
            assertEquals(ApisixLikeClient.Outcome.FAILED, client.call(client.worker(), ApisixLikeClient.Route.say(1, "x"), 1));
            assertEquals(1, client.failed.sum());
            assertTrue(client.failures.keySet().iterator().next().startsWith("failed to connect"), () -> "" + client.failures);
        }
    }

    /** The same client against the Go runner, when shared/baseline is beside the repository. */
    @Test
    void goRunnerGetsTheSameChecks() throws Exception {
        Path go = Path.of(System.getProperty("a6.baseline", "../../shared/baseline"), "go-runner", "go-runner-peer");
        Assumptions.assumeTrue(Files.isExecutable(go), "no Go runner at " + go);
        RunnerProcess.Spec spec = new RunnerProcess.Spec("go", List.of(go.toAbsolutePath().toString(), "run", "-m", "prod"),
                Map.of(), go);
        Path work = Files.createTempDirectory(dir, "go");
        try (RunnerProcess p = RunnerProcess.start(spec, work)) {
            // throw: the Go runner closes the connection on a panic; both clients connect again and go on
            for (String s : List.of("noop", "say", "rewrite", "vars", "respmod", "throw")) {
                for (int loops : new int[] {0, 2}) {
                    LoadGen.Options o = options(p.socket, s);
                    o.pid = p.pid();
                    o.clientLoops = loops;
                    Result r = LoadGen.run(o);
                    assertEquals(0, r.errors(), () -> s + " (client loops " + loops + "): wrong replies: " + r.firstError());
                    assertTrue(s.equals("throw") || r.calls() > 0, s + ": no call measured");
                }
            }
        }
    }
}
