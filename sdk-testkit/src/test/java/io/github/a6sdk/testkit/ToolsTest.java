package io.github.a6sdk.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.Commands;
import io.github.a6sdk.runtime.tools.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code describe} and {@code validate} as a user runs them, on plugins compiled with the processor. */
class ToolsTest {
    @TempDir Path dir;

    record Run(int status, String out, String err) {}

    static Run run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        int status = Commands.run(args[0], rest, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code java -cp <test class path> io.github.a6sdk.runtime.Main args...}, as the plugin jar runs. */
    static Run child(String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.github.a6sdk.runtime.Main"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out, err);
    }

    @Test
    void describeListsEveryPlugin() {
        Run r = run("", "describe");
        assertEquals(0, r.status(), r.err());
        String out = r.out();
        assertTrue(out.contains("say  (io.github.a6sdk.testkit.plugins.Say)\n"
                + "  phases: ext-plugin-pre-req, ext-plugin-post-req\n"
                + "  config: io.github.a6sdk.testkit.plugins.Say.Config\n"
                + "  vars:   -\n"
                + "  body:   -\n"
                + "  hooks:  -\n"
                + "  schema: {\n"
                + "    \"$schema\": \"https://json-schema.org/draft/2020-12/schema\",\n"
                + "    \"title\": \"say\",\n"), out);
        assertTrue(out.contains("whoami  (io.github.a6sdk.testkit.plugins.Whoami)\n"
                + "  phases: ext-plugin-pre-req, ext-plugin-post-req\n"
                + "  config: io.github.a6sdk.api.NoConfig\n"
                + "  vars:   remote_addr, http_x_user\n"
                + "  body:   request body\n"), out);
        assertTrue(out.contains("  phases: ext-plugin-post-resp\n  config: io.github.a6sdk.testkit.plugins.Shout.Config\n"
                + "  vars:   -\n  body:   response body\n"), out);
        assertTrue(out.contains("  phases: ext-plugin-pre-req, ext-plugin-post-req, ext-plugin-post-resp\n"), "boom: both");
        assertTrue(out.contains("pool  (io.github.a6sdk.testkit.plugins.Pool)\n"
                + "  phases: ext-plugin-pre-req, ext-plugin-post-req\n"
                + "  config: io.github.a6sdk.api.NoConfig\n"
                + "  vars:   -\n"
                + "  body:   -\n"
                + "  hooks:  start (settings A6_PLUGIN_POOL_*), close\n"), out);
        Run one = run("", "describe", "shout");
        assertTrue(one.out().startsWith("shout  ("), one.out());
        assertTrue(!one.out().contains("say  ("), one.out());
    }

    @Test
    @SuppressWarnings("unchecked")
    void describeJsonIsMachineReadable() throws Exception {
        Run r = run("", "describe", "--json");
        assertEquals(0, r.status());
        Map<String, Object> doc = (Map<String, Object>) Json.parse(r.out());
        List<Object> plugins = (List<Object>) doc.get("plugins");
        assertEquals(9, plugins.size());
        Map<String, Object> whoami = null;
        for (Object p : plugins) {
            if (((Map<String, Object>) p).get("name").equals("whoami")) {
                whoami = (Map<String, Object>) p;
            }
        }
        assertEquals(List.of("remote_addr", "http_x_user"), whoami.get("vars"));
        assertEquals(true, whoami.get("requestBody"));
        assertEquals(false, whoami.get("responseBody"));
        assertEquals(List.of("ext-plugin-pre-req", "ext-plugin-post-req"), whoami.get("phases"));
        Map<String, Object> schema = (Map<String, Object>) whoami.get("configSchema");
        assertEquals(false, schema.get("additionalProperties"));
        assertEquals("io.github.a6sdk.testkit.plugins.Whoami", whoami.get("className"));
        // The Prometheus families the runner serves with A6_METRICS_ADDRESS.
        assertEquals(io.github.a6sdk.runtime.metrics.Metrics.names(), doc.get("metrics"));
        assertTrue(((List<Object>) doc.get("metrics")).contains("a6_plugin_calls_total"), r.out());
        assertEquals(false, whoami.get("startHook"));
        assertEquals(false, whoami.get("closeable"));
        Map<String, Object> pool = (Map<String, Object>) plugins.stream()
                .filter(p -> ((Map<String, Object>) p).get("name").equals("pool")).findFirst().orElseThrow();
        assertEquals(true, pool.get("startHook"));
        assertEquals(true, pool.get("closeable"));
        assertEquals("A6_PLUGIN_POOL_", pool.get("settingsPrefix"));
        assertEquals(false, pool.get("requestState"));
        assertEquals(true, plugins.stream().filter(p -> ((Map<String, Object>) p).get("name").equals("stamp"))
                .map(p -> ((Map<String, Object>) p).get("requestState")).findFirst().orElseThrow());
    }

    @Test
    void describeUnknownPluginFails() {
        Run r = run("", "describe", "nope");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("no plugin named \"nope\" in this jar (it has: boom, kitchen, pool, raw, rewrite, say, shout, stamp, whoami)"),
                r.err());
    }

    @Test
    void validatePrintsTheParsedRecordOrTheError() {
        Run ok = run("", "validate", "say", "{\"body\":\"hello\"}");
        assertEquals(0, ok.status(), ok.err());
        assertEquals("ok: say Config[body=hello, status=null]\n", ok.out());

        Run bad = run("", "validate", "kitchen", "{\"enabled\":true,\"count\":1,\"big\":1,\"ratio\":1,"
                + "\"limits\":[{\"rate\":1},{\"rate\":\"fast\"}]}");
        assertEquals(1, bad.status());
        assertEquals("error: plugin \"kitchen\": bad config at $.limits[1].rate: expected an integer but was a string\n",
                bad.err());

        Run own = run("", "validate", "say", "{\"status\":99}");
        assertEquals(1, own.status());
        assertTrue(own.err().contains("status must be 100 to 599, got 99"), own.err());

        Run missing = run("", "validate", "kitchen", "{}");
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("at $.enabled: missing required field \"enabled\" of type boolean"), missing.err());

        Run malformed = run("", "validate", "say", "{\"body\":");
        assertEquals(1, malformed.status());
        assertTrue(malformed.err().contains("malformed JSON"), malformed.err());

        Run stdin = run("{\"body\":\"from stdin\"}", "validate", "say", "-");
        assertEquals(0, stdin.status());
        assertEquals("ok: say Config[body=from stdin, status=null]\n", stdin.out());

        Run unknown = run("", "validate", "nope", "{}");
        assertEquals(1, unknown.status());
        assertTrue(unknown.err().contains("no plugin named \"nope\""), unknown.err());

        Run usage = run("", "validate", "say");
        assertEquals(2, usage.status());
        assertTrue(usage.err().startsWith("usage: validate NAME"), usage.err());
    }

    @Test
    void validateChecksEveryExtPluginEntryOfARoute() throws Exception {
        String route = "{\"key\":\"/apisix/routes/1\",\"value\":{\"id\":\"1\",\"uri\":\"/get\",\"plugins\":{"
                + "\"ext-plugin-pre-req\":{\"conf\":[{\"name\":\"say\",\"value\":\"{\\\"body\\\":\\\"hi\\\"}\"},"
                + "{\"name\":\"say\",\"value\":\"{\\\"body\\\":2}\"},{\"name\":\"nope\",\"value\":\"{}\"},"
                + "{\"name\":\"say\",\"value\":{\"body\":\"x\"}},{\"value\":\"{}\"},{\"name\":\"shout\",\"value\":\"{\\\"status\\\":0}\"}]},"
                + "\"ext-plugin-post-resp\":{\"conf\":[{\"name\":\"shout\",\"value\":\"{\\\"status\\\":0}\"}]},"
                + "\"proxy-rewrite\":{\"uri\":\"/x\"}}}}";
        Path file = dir.resolve("route.json");
        Files.writeString(file, route);
        Run r = run("", "validate", "--route", file.toString());
        assertEquals(1, r.status());
        assertEquals("route \"1\" \"/get\":\n"
                + "  ok     ext-plugin-pre-req.conf[0] say Config[body=hi, status=null]\n"
                + "  error  ext-plugin-pre-req.conf[1] say: plugin \"say\": bad config at $.body: expected a string but was a number\n"
                + "  error  ext-plugin-pre-req.conf[2] nope: no plugin named \"nope\" in this jar (it has: boom, kitchen, pool,"
                + " raw, rewrite, say, shout, stamp, whoami)\n"
                + "  error  ext-plugin-pre-req.conf[3] say: property \"value\" must be a string (APISIX requires the config as"
                + " JSON text, such as \"value\": \"{\\\"body\\\":\\\"x\\\"}\"), found an object\n"
                + "  error  ext-plugin-pre-req.conf[4]: property \"name\" is required\n"
                + "  error  ext-plugin-pre-req.conf[5] shout: plugin \"shout\" has no request filter, so it cannot run in"
                + " ext-plugin-pre-req\n"
                + "  ok     ext-plugin-post-resp.conf[0] shout Config[status=0, tag=null]\n"
                + "5 of 7 entries are invalid\n", r.out());

        String bare = "{\"uri\":\"/a\",\"plugins\":{\"ext-plugin-post-req\":{\"conf\":[{\"name\":\"whoami\",\"value\":\"\"}],"
                + "\"allow_degradation\":true}}}";
        Run ok = run(bare, "validate", "--route", "-");
        assertEquals(0, ok.status(), ok.out() + ok.err());
        assertEquals("route #1 \"/a\":\n  ok     ext-plugin-post-req.conf[0] whoami NoConfig[]\nall 1 entries are valid\n",
                ok.out());

        Run none = run("{\"uri\":\"/a\",\"plugins\":{\"limit-count\":{}}}", "validate", "--route", "-");
        assertEquals(1, none.status());
        assertTrue(none.err().contains("no ext-plugin conf entries found"), none.err());

        Run notJson = run("{\"uri\":", "validate", "--route", "-");
        assertEquals(1, notJson.status());
        assertTrue(notJson.err().startsWith("error: the route is not valid JSON"), notJson.err());
    }

    @Test
    void asAChildProcessThroughMain() throws Exception {
        assertTrue(System.getProperty("java.class.path").contains(File.pathSeparator), "a plain class path");
        Run describe = child("", "describe", "--json");
        assertEquals(0, describe.status(), describe.err());
        assertTrue(describe.out().contains("\"name\": \"kitchen\""), describe.out());

        Run bad = child("", "validate", "say", "{\"body\":1}");
        assertEquals(1, bad.status());
        assertEquals("error: plugin \"say\": bad config at $.body: expected a string but was a number",
                bad.err().strip());

        Run good = child("{\"body\":\"x\"}", "validate", "say", "-");
        assertEquals(0, good.status(), good.err());
        assertEquals("ok: say Config[body=x, status=null]", good.out().strip());

        Run unknown = child("", "bogus");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("unknown command \"bogus\""), unknown.err());
    }
}
