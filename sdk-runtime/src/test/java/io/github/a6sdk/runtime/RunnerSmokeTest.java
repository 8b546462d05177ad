package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunnerSmokeTest {
    @TempDir Path dir;

    @Test
    void sayStopsTheRequestOverARealSocket() throws Exception {
        TestDescriptor say = TestDescriptor.request("say", (config, request, response) -> {
            response.setStatus(200);
            response.setHeader("X-Resp-A6-Runner", "Java");
            response.setBody(config);
        });
        Path sock = dir.resolve("runner.sock");
        RunnerConfig config = RunnerConfig.fromEnvironment(Map.of("APISIX_LISTEN_ADDRESS", "unix:" + sock));
        try (Runner runner = new Runner(config, PluginCatalog.of(List.of(TestDescriptor.registry(say)))).start()) {
            long token;
            try (ApisixClient prepare = ApisixClient.connect(sock)) {
                Reply r = prepare.prepareConf("route#1#ext-plugin-pre-req#1", List.of(Field.of("say", "hello")));
                token = assertInstanceOf(Reply.Token.class, r).token();
            }
            try (ApisixClient client = ApisixClient.connect(sock)) {
                Reply r = client.call(token, new CallRequest().id(7).path("/get"), new ExtraInfoAnswers());
                Reply.Stop stop = assertInstanceOf(Reply.Stop.class, r);
                assertEquals(200, stop.status());
                assertEquals(List.of("Java"), stop.header("x-resp-a6-runner"));
                assertEquals("hello", stop.bodyAsString());
                assertEquals(7, stop.id());
            }
        }
    }
}
