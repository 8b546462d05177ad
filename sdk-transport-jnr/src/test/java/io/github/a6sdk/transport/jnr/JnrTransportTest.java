package io.github.a6sdk.transport.jnr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.api.RequestFilter;
import io.github.a6sdk.api.ResponseFilter;
import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.api.spi.PluginRegistry;
import io.github.a6sdk.runtime.PluginCatalog;
import io.github.a6sdk.runtime.Runner;
import io.github.a6sdk.runtime.RunnerConfig;
import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime's protocol over jnr-unixsocket: the same replies as over the JDK transport. */
class JnrTransportTest {
    @TempDir Path dir;

    /** "echo": stops with the value of var "remote_addr" (declared) and the request's x-n header. */
    private static final PluginDescriptor<String> ECHO = new PluginDescriptor<>() {
        private final RequestFilter<String> filter = (config, request, response) -> {
            response.setStatus(200);
            response.setHeader("x-n", request.headers().get("x-n"));
            response.setBody(config + ":" + request.var("remote_addr"));
        };

        @Override public String name() { return "echo"; }
        @Override public String className() { return "test.Echo"; }
        @Override public String configType() { return "java.lang.String"; }
        @Override public List<String> prefetchVars() { return List.of("remote_addr"); }
        @Override public boolean prefetchRequestBody() { return false; }
        @Override public boolean prefetchResponseBody() { return false; }
        @Override public RequestFilter<String> requestFilter() { return filter; }
        @Override public ResponseFilter<String> responseFilter() { return null; }
        @Override public String parseConfig(String json) throws ConfigException { return json; }
        @Override public String configSchema() { return "{}"; }
    };

    private static final PluginRegistry REGISTRY = new PluginRegistry() {
        @Override public List<PluginDescriptor<?>> plugins() { return List.of(ECHO); }
        @Override public PluginDescriptor<?> find(String name) { return "echo".equals(name) ? ECHO : null; }
    };

    @Test
    void servesCallsWithExtraInfoOnSixteenConnections() throws Exception {
        Path sock = dir.resolve("jnr.sock");
        RunnerConfig config = RunnerConfig.fromEnvironment(Map.of("APISIX_LISTEN_ADDRESS", "unix:" + sock));
        try (Runner runner = new Runner(config, PluginCatalog.of(List.of(REGISTRY)), new JnrTransport()).start()) {
            assertEquals("jnr-unixsocket", runner.transportName());
            assertTrue(Files.exists(sock));
            long token;
            try (ApisixClient c = ApisixClient.connect(sock)) {
                token = assertInstanceOf(Reply.Token.class, c.prepareConf("k", List.of(Field.of("echo", "hi")))).token();
            }
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (int t = 0; t < 16; t++) {
                    int conn = t;
                    results.add(pool.submit(() -> {
                        int ok = 0;
                        try (ApisixClient c = ApisixClient.connect(sock)) {
                            for (int i = 0; i < 200; i++) {
                                String n = conn + "-" + i;
                                Reply r = c.call(token, new CallRequest().id(i).header("x-n", n),
                                        new ExtraInfoAnswers().var("remote_addr", "10.0.0." + conn));
                                Reply.Stop stop = assertInstanceOf(Reply.Stop.class, r);
                                assertEquals(List.of(n), stop.header("x-n"));
                                assertEquals("hi:10.0.0." + conn, stop.bodyAsString());
                                ok++;
                            }
                        }
                        return ok;
                    }));
                }
                for (Future<Integer> f : results) {
                    assertEquals(200, f.get());
                }
            } finally {
                pool.shutdownNow();
            }
        }
        assertTrue(Files.notExists(sock), "socket file removed on shutdown");
    }
}
