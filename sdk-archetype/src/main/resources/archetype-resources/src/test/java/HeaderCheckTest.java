package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.testkit.PluginChain;
import io.github.a6sdk.testkit.RequestOutcome;
import io.github.a6sdk.testkit.TestRequest;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The plugin in memory: the runtime's own chain, and the config JSON through the generated parser. */
class HeaderCheckTest {
    private static final PluginChain CHECK =
            PluginChain.of(new HeaderCheck_Descriptor(), "{\"header\":\"x-api-key\",\"keys\":{\"s3cret\":\"alice\"}}");

    @Test
    void aKnownKeyPassesWithItsConsumerAndWithoutTheKey() {
        RequestOutcome.Rewrite rw = CHECK.request(TestRequest.get("/orders").header("X-Api-Key", "s3cret")).rewritten();
        assertEquals("alice", rw.header("x-consumer"));
        assertEquals(Set.of("x-api-key"), rw.headersRemoved());
    }

    @Test
    void aMissingKeyGets401WithAJsonError() {
        RequestOutcome.Stop stop = CHECK.request(TestRequest.get("/orders")).stopped();
        assertEquals(401, stop.status());
        assertEquals("application/json", stop.header("Content-Type"));
        assertEquals("{\"error\":\"unauthorized\",\"message\":\"missing x-api-key\"}", stop.bodyAsString());
    }

    @Test
    void anUnknownKeyGets401() {
        RequestOutcome.Stop stop = CHECK.request(TestRequest.get("/").header("x-api-key", "s3cre")).stopped();
        assertEquals(401, stop.status());
        assertEquals("{\"error\":\"unauthorized\",\"message\":\"unknown key in x-api-key\"}", stop.bodyAsString());
    }

    @Test
    void theConsumerHeaderIsConfigurable() {
        RequestOutcome.Rewrite rw = PluginChain.of(new HeaderCheck_Descriptor(),
                        "{\"header\":\"authorization\",\"keys\":{\"k1\":\"bob\"},\"consumerHeader\":\"x-user\"}")
                .request(TestRequest.get("/").header("Authorization", "k1"))
                .rewritten();
        assertEquals("bob", rw.header("x-user"));
        assertNull(rw.header("x-consumer"));
    }

    @Test
    void theKeysStayOutOfLogs() {
        String shown = new HeaderCheck.Config("x-api-key", Map.of("s3cret", "alice"), null).toString();
        assertEquals("Config[header=x-api-key, keys=(1 hidden), consumerHeader=x-consumer]", shown);
    }

    @Test
    void aConfigErrorNamesItsJsonPath() {
        ConfigException typo = PluginChain.configError(new HeaderCheck_Descriptor(), "{\"hedaer\":\"x-api-key\"}");
        assertEquals("$.hedaer", typo.path());
        ConfigException type = PluginChain.configError(new HeaderCheck_Descriptor(),
                "{\"header\":\"x-api-key\",\"keys\":{\"s3cret\":1}}");
        assertEquals("$.keys.s3cret", type.path());
        assertTrue(type.getMessage().startsWith("plugin \"header-check\": bad config at $.keys.s3cret: "), type.getMessage());
    }

    @Test
    void theRecordChecksItself() {
        String noKeys = PluginChain.configError(new HeaderCheck_Descriptor(), "{\"header\":\"x-api-key\",\"keys\":{}}")
                .getMessage();
        assertTrue(noKeys.contains("keys must map at least one key to its consumer"), noKeys);
        String badName = PluginChain.configError(new HeaderCheck_Descriptor(),
                "{\"header\":\"x api key\",\"keys\":{\"k\":\"c\"}}").getMessage();
        assertTrue(badName.contains("header must be a header name such as \"x-api-key\", got \"x api key\""), badName);
    }
}
