package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus's own checker, {@code promtool} (Debian package {@code prometheus}; {@code .ci/run}
 * installs its promtool binary when missing). Without it a test is skipped with a message, except
 * under CI ({@code CI=true}), where a missing promtool fails.
 */
final class Promtool {
    private Promtool() {}

    static Path find() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d.isEmpty() ? "." : d, "promtool");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        String why = "promtool is not on PATH; install it with .ci/run's step (apt-get download prometheus,"
                + " then copy usr/bin/promtool out of the package) or apt-get install prometheus";
        if ("true".equals(System.getenv("CI"))) {
            fail(why + " (CI=true: the check may not be skipped)");
        }
        Assumptions.assumeTrue(false, why + "; skipping the promtool check");
        return null;
    }

    /**
     * Runs {@code promtool check <what>} ("metrics": {@code input} on stdin; "rules": {@code input}
     * written to a file) and fails, with promtool's words, on any error or warning.
     */
    static void check(String what, String input) throws IOException, InterruptedException {
        Path promtool = find();
        ProcessBuilder pb;
        Path file = null;
        if (what.equals("metrics")) {
            pb = new ProcessBuilder(promtool.toString(), "check", "metrics");
        } else {
            file = Files.createTempFile("a6-rules", ".yml");
            Files.writeString(file, input);
            pb = new ProcessBuilder(promtool.toString(), "check", what, file.toString());
        }
        pb.redirectErrorStream(true);
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            if (file == null) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("promtool check " + what + " did not finish");
        }
        if (file != null) {
            Files.deleteIfExists(file);
        }
        assertEquals(0, p.exitValue(), "promtool check " + what + ":\n" + out);
        if (what.equals("metrics")) {
            assertEquals(List.of(), out.lines().filter(l -> !l.isBlank()).toList(), "promtool's complaints");
        }
    }
}
