package io.github.a6sdk.runtime.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.Commands;
import io.github.a6sdk.runtime.PluginCatalog;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A jar whose plugins were compiled without sdk-processor has no generated registry (this module's
 * test class path has none): every command says so the same way and fails, instead of serving 503s.
 */
class NoPluginsTest {

    @Test
    void theRunnerRefusesToStartWithOneLineAndExitStatus2(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("runner.sock");
        Path log = dir.resolve("runner.log");
        List<String> command = new ArrayList<>(ChildRunner.command(ChildRunner.SMALL_JVM));
        command.set(command.size() - 1, "io.github.a6sdk.runtime.Main"); // the plugin jar's own main class
        try (ChildRunner runner = ChildRunner.start(sock, log, java.util.Map.of(), command)) {
            assertTrue(runner.process.waitFor(30, TimeUnit.SECONDS), "the runner did not exit");
            assertEquals(2, runner.process.exitValue());
        }
        List<String> lines = Files.readAllLines(log);
        assertEquals(1, lines.size(), "expected one line, got: " + lines);
        assertTrue(lines.get(0).contains("cannot start: " + PluginCatalog.NO_PLUGINS), lines.get(0));
        assertTrue(lines.get(0).contains("sdk-processor") && lines.get(0).contains("annotationProcessorPaths"));
        assertFalse(Files.exists(sock), "no socket for a runner that serves nothing");
    }

    @Test
    void describeValidateAndDevFailWithTheSameHint() {
        String[][] commands = {
            {"describe"}, {"describe", "--json"}, {"validate", "jwt-check", "{}"}, {"validate", "--route", "-"}, {"dev"},
        };
        for (String[] c : commands) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = Commands.run(c[0], java.util.Arrays.copyOfRange(c, 1, c.length),
                    new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            String command = String.join(" ", c);
            assertEquals(2, status, command);
            assertEquals("", out.toString(StandardCharsets.UTF_8), command);
            assertEquals("error: " + PluginCatalog.NO_PLUGINS + System.lineSeparator(), err.toString(StandardCharsets.UTF_8),
                    command);
        }
    }
}
