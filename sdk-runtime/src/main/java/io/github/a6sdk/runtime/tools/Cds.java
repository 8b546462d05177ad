package io.github.a6sdk.runtime.tools;

import io.github.a6sdk.runtime.Main;
import io.github.a6sdk.runtime.PluginCatalog;
import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar plugins.jar cds [ARCHIVE]}: writes a class-data sharing archive for this jar and
 * this JDK, so that the runner APISIX starts with {@code -XX:SharedArchiveFile=ARCHIVE} maps the
 * classes it needs instead of loading and verifying them one by one (start to ready about a third
 * faster). It runs the runner once in a child JVM with {@code -XX:ArchiveClassesAtExit}, on a
 * temporary socket, serves a few protocol exchanges that run no plugin code (an empty chain, and a
 * PrepareConf of each plugin with a blank config), stops it, and checks that the archive maps.
 *
 * <p>The archive belongs to this jar file (its path, size and time) and this JDK build: after either
 * changes, the JVM ignores it without a word and starts as without it; run the command again.
 * Works on JDK 17 and later.
 */
public final class Cds {
    /** The hidden command the child JVM runs: serve, train, stop. */
    public static final String TRAINING_COMMAND = "cds-training";

    private Cds() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 1 || (args.length == 1 && args[0].startsWith("-"))) {
            err.println("usage: cds [ARCHIVE]   (default: the jar's path with .jsa instead of .jar)");
            return 2;
        }
        Path jar;
        try {
            jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | RuntimeException e) {
            err.println("error: cannot tell which jar this is: " + e);
            return 1;
        }
        if (!Files.isRegularFile(jar)) {
            err.println("error: cds archives a plugin jar; this runs from " + jar + " (run it as java -jar plugins.jar cds)");
            return 1;
        }
        String name = jar.getFileName().toString();
        Path archive = args.length == 1 ? Path.of(args[0]).toAbsolutePath()
                : jar.resolveSibling((name.endsWith(".jar") ? name.substring(0, name.length() - 4) : name) + ".jsa");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path work;
        try {
            work = Files.createTempDirectory("a6-cds");
        } catch (IOException e) {
            err.println("error: cannot make a temporary folder: " + e.getMessage());
            return 1;
        }
        long t0 = System.nanoTime();
        try {
            Files.deleteIfExists(archive);
            Path log = work.resolve("training.log");
            List<String> train = List.of(java, "-XX:ArchiveClassesAtExit=" + archive, "-jar", jar.toString(), TRAINING_COMMAND);
            ProcessBuilder pb = new ProcessBuilder(train).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("APISIX_LISTEN_ADDRESS", "unix:" + work.resolve("training.sock"));
            pb.environment().put("A6_EXIT_WITH_PARENT", "false");
            pb.environment().remove("A6_METRICS_ADDRESS");
            pb.environment().remove("A6_LOG_FILE");
            int status = waitFor(pb.start(), 120);
            if (status != 0 || !Files.isRegularFile(archive)) {
                err.println("error: the training run exited with " + status + " and wrote no archive. Its output:");
                err.print(Files.readString(log, StandardCharsets.UTF_8));
                return 1;
            }
            // The archive must map for the java command that will use it (-Xshare:on fails when it does not).
            List<String> check = List.of(java, "-XX:SharedArchiveFile=" + archive, "-Xshare:on", "-jar", jar.toString(), "help");
            Path checkLog = work.resolve("check.log");
            int ok = waitFor(new ProcessBuilder(check).redirectErrorStream(true).redirectOutput(checkLog.toFile()).start(), 60);
            if (ok != 0) {
                err.println("error: " + archive + " was written but does not map (" + String.join(" ", check) + "):");
                err.print(Files.readString(checkLog, StandardCharsets.UTF_8));
                return 1;
            }
            out.printf("wrote %s (%d KiB) in %d ms, for %s and Java %s.%n", archive, Files.size(archive) / 1024,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), jar, System.getProperty("java.runtime.version"));
            out.println("Start the runner with -XX:SharedArchiveFile=" + archive + " (in APISIX's ext-plugin.cmd, before -jar)."
                    + " Run this again whenever the jar or the JDK changes: the JVM ignores a stale archive.");
            return 0;
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return 1;
        } finally {
            deleteQuietly(work);
        }
    }

    private static int waitFor(Process p, long seconds) throws IOException {
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("no answer from " + p.info().commandLine().orElse("the child JVM") + " in " + seconds + " s");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temporary folder
        }
    }

    /**
     * The training exchanges, run against the runner the child serves: an empty chain called in both
     * phases, then a PrepareConf of each plugin with a blank config (a config error is as good a
     * lesson as a token). No plugin code runs.
     */
    public static void train(Path socket, PluginCatalog catalog) throws IOException {
        try (ApisixClient c = ApisixClient.connect(socket)) {
            Reply r = c.prepareConf("route#cds#ext-plugin-pre-req#1", List.of());
            if (r instanceof Reply.Token t) {
                for (int i = 0; i < 3; i++) {
                    c.call(t.token(), new CallRequest().id(i).path("/cds").header("host", "cds").arg("a", "1"),
                            new ExtraInfoAnswers());
                    c.respCall(t.token(), i, 200, List.of(Field.of("content-type", "text/plain")), new ExtraInfoAnswers());
                }
            }
            List<String> names = new ArrayList<>(catalog.names());
            for (String plugin : names) {
                c.prepareConf("route#cds-" + plugin + "#ext-plugin-pre-req#1", List.of(Field.of(plugin, "")));
            }
        }
    }
}
