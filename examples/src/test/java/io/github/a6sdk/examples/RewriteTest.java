package io.github.a6sdk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.testkit.PluginChain;
import io.github.a6sdk.testkit.RequestOutcome;
import io.github.a6sdk.testkit.TestRequest;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RewriteTest {
    private static final String CONFIG = "{\"path\":\"/anything\",\"setHeaders\":{\"x-tenant\":\"blue\"},"
            + "\"removeHeaders\":[\"cookie\"],\"addArgs\":{\"source\":\"apisix\"}}";

    @Test
    void rewritesPathHeadersAndArgs() {
        RequestOutcome.Rewrite rw = PluginChain.of(new Rewrite_Descriptor(), CONFIG)
                .request(TestRequest.get("/get?source=web&page=2").header("cookie", "s=1").header("x-tenant", "red"))
                .rewritten();
        assertEquals("/anything", rw.path());
        assertEquals("blue", rw.header("x-tenant"));
        assertEquals(Set.of("cookie"), rw.headersRemoved());
        assertEquals(List.of("web", "apisix"), rw.arg("source"));
        assertTrue(rw.arg("page").isEmpty(), "untouched args are not resent: " + rw.args());
        assertNull(rw.body());
    }

    @Test
    void onlyWhatIsConfiguredChanges() {
        RequestOutcome.Rewrite rw = PluginChain.of(new Rewrite_Descriptor(), "{\"setHeaders\":{\"x-a\":\"1\"}}")
                .request(TestRequest.get("/keep"))
                .rewritten();
        assertNull(rw.path());
        assertEquals("1", rw.header("x-a"));
        assertTrue(rw.args().isEmpty());
    }

    @Test
    void aRelativePathIsRejectedByTheRecordsOwnValidation() {
        ConfigException e = PluginChain.configError(new Rewrite_Descriptor(), "{\"path\":\"anything\"}");
        assertTrue(e.getMessage().contains("path must start with '/'"), e.getMessage());
        assertEquals("rewrite", e.plugin());
    }
}
