package io.github.a6sdk.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.runtime.PluginCatalog;
import io.github.a6sdk.testkit.plugins.Say_Descriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** A test over the protocol learns why a call failed from the outcome itself, not from the runner's log. */
class WhyItFailedTest {

    @Test
    void aPluginTheRunnerDoesNotHaveAsksAboutTheProcessor() {
        try (FakeApisix apisix = FakeApisix.start()) {
            RequestOutcome out = apisix.route("jwt-check", "{}").request(TestRequest.get("/"));
            assertTrue(out.failure().startsWith("the runner answered BAD_REQUEST (APISIX answers the client 503): "
                    + "no such plugin \"jwt-check\" on the class path (found: boom, kitchen, pool, raw, rewrite, say,"
                    + " shout, stamp, whoami); " + PluginCatalog.PROCESSOR_HINT), out.failure());
            AssertionError e = assertThrows(AssertionError.class, out::stopped);
            assertTrue(e.getMessage().contains("no such plugin \"jwt-check\""), e.getMessage());
            assertTrue(e.getMessage().contains("is sdk-processor on the annotationProcessorPaths"), e.getMessage());
        }
    }

    @Test
    void withNoPluginsAtAllTheAssertionSaysSo() {
        try (FakeApisix apisix = FakeApisix.start(new PluginDescriptor<?>[0])) {
            AssertionError e = assertThrows(AssertionError.class,
                    () -> apisix.route("jwt-check", "{}").request(TestRequest.get("/")).rewritten());
            assertTrue(e.getMessage().contains("no such plugin \"jwt-check\" on the class path (found: none); "
                    + "is sdk-processor on the annotationProcessorPaths"), e.getMessage());
        }
        IllegalArgumentException byName = assertThrows(IllegalArgumentException.class, () -> PluginChain.find("nope"));
        assertTrue(byName.getMessage().startsWith("no such plugin \"nope\" on the class path (found: boom,"), byName.getMessage());
        assertTrue(byName.getMessage().endsWith(PluginCatalog.PROCESSOR_HINT), byName.getMessage());
    }

    @Test
    void aRejectedConfigIsTheConfigError() {
        try (FakeApisix apisix = FakeApisix.start()) {
            RequestOutcome out = apisix.route("say", "{\"body\":\"ok\"}").then("say", "{\"body\":\"x\",\"status\":42}")
                    .request(TestRequest.get("/"));
            ConfigException e = out.configError();
            assertEquals("say", e.plugin());
            assertEquals("$.status", e.path());
            assertEquals("the runner answered BAD_REQUEST (APISIX answers the client 503): plugin \"say\": bad config"
                    + " at $.status: status must be 100 to 599, got 42", out.failure());

            ResponseOutcome resp = apisix.route("shout", "{\"status\":\"loud\"}").response(TestUpstream.ok());
            assertEquals("$.status", resp.configError().path());
            assertTrue(resp.failure().contains("expected an integer but was a string"), resp.failure());

            // a call that failed for another reason has no config error
            RequestOutcome boom = apisix.route("boom", "{}").request(TestRequest.get("/"));
            assertThrows(AssertionError.class, boom::configError);
        }
    }

    @Test
    void aPluginInAPhaseItLacksSaysSo() {
        try (FakeApisix apisix = FakeApisix.start()) {
            RequestOutcome out = apisix.route("shout", "{\"status\":0}").request(TestRequest.get("/"));
            assertTrue(out.failure().endsWith("plugin \"shout\" has no request filter, so it cannot run in"
                    + " ext-plugin-pre-req"), out.failure());
        }
    }

    @Test
    void whatTheRunnerLoggedIsQuotedAndKeptOutOfTheOutput() {
        List<LogRecord> printed = new ArrayList<>();
        Handler console = new Handler() {
            @Override
            public void publish(LogRecord record) {
                synchronized (printed) {
                    printed.add(record);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger root = Logger.getLogger("");
        root.addHandler(console);
        try (FakeApisix apisix = FakeApisix.start(new Say_Descriptor(), new io.github.a6sdk.testkit.plugins.Boom_Descriptor())) {
            RequestOutcome out = apisix.route("boom", "{}").request(TestRequest.get("/"));
            assertTrue(out.failure().startsWith("the runner answered SERVICE_UNAVAILABLE (APISIX answers the client 503):"
                    + " the runner logged: SEVERE "), out.failure());
            assertTrue(out.failure().contains("boom in the request phase"), out.failure());
            apisix.route("say", "{\"body\":1}").request(TestRequest.get("/")).configError();
            assertTrue(apisix.runnerLog().stream().anyMatch(l -> l.startsWith("SEVERE PrepareConf")
                    && l.contains("bad config at $.body")), apisix.runnerLog().toString());
        } finally {
            root.removeHandler(console);
        }
        synchronized (printed) {
            assertTrue(printed.stream().noneMatch(r -> r.getLoggerName().startsWith("io.github.a6sdk.runtime")),
                    "the runner's lines reached the console: " + printed.stream().map(LogRecord::getMessage).toList());
        }
    }
}
