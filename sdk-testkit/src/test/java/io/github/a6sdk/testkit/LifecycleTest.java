package io.github.a6sdk.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.a6sdk.testkit.plugins.Pool_Descriptor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Start hooks and close in the test kit: {@link StartedPlugins} in memory, {@link FakeApisix} over the wire. */
class LifecycleTest {

    private static String state(Pool_Descriptor pool) {
        return PluginChain.of(pool, "{}").request(TestRequest.get("/")).stopped().bodyAsString();
    }

    @Test
    void startedPluginsStartOnceWithTheGivenSettingsAndCloseOnce() {
        Pool_Descriptor pool = new Pool_Descriptor();
        StartedPlugins started = StartedPlugins.start(Map.of("A6_PLUGIN_POOL_SIZE", "3"), pool);
        assertEquals("size 3, starts 1, closes 0", state(pool));
        started.close();
        started.close();
        assertEquals("size 3, starts 1, closes 1", state(pool));
    }

    @Test
    void fakeApisixStartsBeforeServingKeepsThePluginsAcrossARestartAndClosesThemWhenItCloses() {
        Pool_Descriptor pool = new Pool_Descriptor();
        try (FakeApisix apisix = FakeApisix.start(Map.of("A6_PLUGIN_POOL_SIZE", "4"), pool)) {
            FakeApisix.Route route = apisix.route("pool", "{}");
            assertEquals("size 4, starts 1, closes 0", route.request(TestRequest.get("/")).stopped().bodyAsString());
            apisix.restartRunner();
            assertEquals("size 4, starts 1, closes 0", route.request(TestRequest.get("/")).stopped().bodyAsString());
        }
        assertEquals("size 4, starts 1, closes 1", state(pool));
    }

    @Test
    void fakeApisixWithoutSettingsStillStartsThePlugins() {
        Pool_Descriptor pool = new Pool_Descriptor();
        try (FakeApisix apisix = FakeApisix.start(pool)) {
            assertEquals("size 1, starts 1, closes 0",
                    apisix.route("pool", "").request(TestRequest.get("/")).stopped().bodyAsString());
        }
    }

    @Test
    void aFailingStartHookIsTheRunnersOneLine() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> FakeApisix.start(Map.of("A6_PLUGIN_POOL_SIZE", "0"), new Pool_Descriptor()));
        assertEquals("plugin \"pool\" (io.github.a6sdk.testkit.plugins.Pool) failed to start:"
                + " A6_PLUGIN_POOL_SIZE must be from 1 to 100, got 0", e.getMessage());
        assertThrows(IllegalStateException.class,
                () -> StartedPlugins.start(Map.of("A6_PLUGIN_POOL_SIZE", "x"), new Pool_Descriptor()));
    }
}
