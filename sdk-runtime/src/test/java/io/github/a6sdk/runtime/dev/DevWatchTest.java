package io.github.a6sdk.runtime.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.client.Field;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dev --watch} end to end, with real runner JVMs started from jars made the way Maven makes
 * them: requests sent all through several reloads all succeed, and jars that do not start (a start
 * hook that fails, two plugins of one name, a file that is not a jar) leave the old runner serving.
 */
@Timeout(300)
class DevWatchTest {
    @TempDir Path dir;

    /** A log that tests can wait on. */
    static final class Log {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }

        /** Waits until the log holds {@code n} lines containing {@code part}. */
        void await(String part, int n) throws InterruptedException {
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (text().lines().filter(l -> l.contains(part)).count() < n) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no " + n + " lines with \"" + part + "\" in:\n" + text());
                }
                Thread.sleep(20);
            }
        }
    }

    /** HTTP clients that call the gateway without pause, counting each answer by body, and every failure. */
    static final class Load implements AutoCloseable {
        final Map<String, AtomicLong> bodies = new ConcurrentHashMap<>();
        final List<String> failures = new CopyOnWriteArrayList<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<Thread> threads = new ArrayList<>();

        Load(int port, int clients) {
            for (int i = 0; i < clients; i++) {
                Thread t = new Thread(() -> {
                    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x"))
                            .timeout(Duration.ofSeconds(30)).GET().build();
                    while (running.get()) {
                        try {
                            HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                bodies.computeIfAbsent(r.body(), k -> new AtomicLong()).incrementAndGet();
                            } else {
                                failures.add(r.statusCode() + " " + r.body());
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                }, "load-" + i);
                t.start();
                threads.add(t);
            }
        }

        long count(String body) {
            AtomicLong n = bodies.get(body);
            return n == null ? 0 : n.get();
        }

        /** Waits until {@code body} has been answered {@code n} more times than now. */
        void awaitMore(String body, long n) throws InterruptedException {
            long target = count(body) + n;
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (count(body) < target) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no " + n + " more answers \"" + body + "\": " + bodies + " " + failures);
                }
                Thread.sleep(10);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
    }

    @Test
    void requestsSentThroughoutReloadsAllSucceedAndJarsThatDoNotStartLeaveTheOldRunnerServing() throws Exception {
        PluginJars jars = new PluginJars(dir);
        Path target = Files.createDirectories(dir.resolve("target")).resolve("plugins.jar");
        Files.write(target, jars.runnable(new PluginJars.Plugin("ver", "v1", false)));
        Log out = new Log();
        Log err = new Log();
        DevWatch watch = new DevWatch(target, out.stream, err.stream, 60_000, 2_000);
        assertEquals("ver", watch.startFirst());
        DevGateway gateway = DevGateway.start(List.of(new DevGateway.Route("default", List.of("/*"), null,
                Map.of("ext-plugin-pre-req", List.of(new Field("ver", ""))))), 0, out.stream, watch);
        watch.startWatching();
        Load load = new Load(gateway.port(), 4);
        try {
            load.awaitMore("v1", 50);

            // mvn package: maven-jar-plugin rewrites the jar in place (not runnable), then shade renames its jar over it
            PluginJars.rewriteInPlace(target, jars.plain(new PluginJars.Plugin("ver", "v2", false)));
            Thread.sleep(600);
            PluginJars.replace(target, jars.runnable(new PluginJars.Plugin("ver", "v2", false)));
            out.await("a6 dev: reloaded " + target.toAbsolutePath() + " (build 2, ", 1);
            assertTrue(out.text().contains("(build 2, ") && out.text().contains("ms): plugins [ver]"), out.text());
            load.awaitMore("v2", 50);

            // a plugin whose start hook fails: the runner exits before it binds, v2 serves on
            PluginJars.replace(target, jars.runnable(new PluginJars.Plugin("ver", "v3", true)));
            err.await("a6 dev: reload failed: build 3 of ", 1);
            assertTrue(err.text().contains("did not start (it exited with status 1: cannot start: plugin \"ver\""), err.text());
            assertTrue(err.text().contains("no database in this build"), err.text());
            assertTrue(err.text().contains("still serving build 2"), err.text());
            load.awaitMore("v2", 50);

            // two plugins of one name
            PluginJars.replace(target, jars.runnable(new PluginJars.Plugin("ver", "v4", false),
                    new PluginJars.Plugin("ver", "v4-other", false)));
            err.await("a6 dev: reload failed: build 4 of ", 1);
            assertTrue(err.text().contains("plugin name \"ver\" is used by both"), err.text());
            load.awaitMore("v2", 50);

            // not a jar at all (a build that died while writing it): reported once, ignored
            PluginJars.rewriteInPlace(target, "PK\u0003\u0004 truncated".getBytes(StandardCharsets.ISO_8859_1));
            err.await("a6 dev: ignoring " + target.toAbsolutePath() + ": it is not a readable jar", 1);
            load.awaitMore("v2", 50);

            // the next good build is loaded
            PluginJars.replace(target, jars.runnable(new PluginJars.Plugin("ver", "v5", false)));
            out.await("(build 5, ", 1);
            load.awaitMore("v5", 50);
        } finally {
            load.close();
            gateway.close();
        }
        System.out.println("dev --watch: answers by build " + load.bodies + ", failed " + load.failures.size());
        assertEquals(List.of(), load.failures, "every request through the reloads succeeded; answers: " + load.bodies);
        assertEquals(0, load.count("v3") + load.count("v4") + load.count("v4-other"), "no broken build ever answered");
        assertEquals(1, out.text().lines().filter(l -> l.startsWith("a6 dev: reloaded ")).filter(l -> l.contains("build 2"))
                .count(), "one line per reload:\n" + out.text());
        assertFalse(Files.exists(watch.socket().getParent()), "the copies and the socket are removed");
        assertFalse(err.text().contains("took over"), "the handover warning is the reload itself, not shown:\n" + err.text());
    }

    @Test
    void routesFromTheJarAreReadAgainFromEachNewBuild() throws Exception {
        Path jar = dir.resolve("routes.jar");
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.jar.JarEntry(DevGateway.DEFAULT_ROUTES));
            out.write("[{\"uri\":\"/new/*\"}]".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        Log log = new Log();
        DevWatch watch = new DevWatch(jar, log.stream, log.stream, 1000, 1000);
        DevGateway gateway = DevGateway.start(List.of(new DevGateway.Route("old", List.of("/old/*"), null, Map.of())), 0,
                log.stream, watch);
        try {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI base = URI.create("http://127.0.0.1:" + gateway.port());
            assertEquals(200, http.send(HttpRequest.newBuilder(base.resolve("/old/x")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
            watch.reloadRoutes(gateway, jar, null);
            assertEquals(404, http.send(HttpRequest.newBuilder(base.resolve("/old/x")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
            assertEquals(200, http.send(HttpRequest.newBuilder(base.resolve("/new/x")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode(), "the echo upstream, through the new route");
        } finally {
            gateway.close();
        }
    }

    @Test
    void aJarWithoutTheRuntimeOrAMainClassIsNotRunnable() throws Exception {
        PluginJars jars = new PluginJars(dir);
        Path plain = dir.resolve("plain.jar");
        Files.write(plain, jars.plain(new PluginJars.Plugin("ver", "v", false)));
        assertTrue(DevWatch.notRunnable(plain).startsWith("it has no Main-Class"), DevWatch.notRunnable(plain));
        Path good = dir.resolve("good.jar");
        Files.write(good, jars.runnable(new PluginJars.Plugin("ver", "v", false)));
        assertNull(DevWatch.notRunnable(good));
        assertNotNull(DevWatch.notRunnable(dir.resolve("missing.jar")));
    }

    @Test
    void watchNeedsToBeStartedFromTheJar() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // the tests run from a classes folder, not a jar
        assertEquals(2, DevWatch.launch(new String[] {"--watch"}, new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("java -jar target/<name>.jar dev --watch"), err.toString());
    }
}
