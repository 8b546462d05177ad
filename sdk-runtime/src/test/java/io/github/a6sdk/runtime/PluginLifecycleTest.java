package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.api.PluginContext;
import io.github.a6sdk.api.SettingException;
import io.github.a6sdk.runtime.reliability.TestPlugin;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class PluginLifecycleTest {
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());

    private TestPlugin plugin(String name, boolean start, boolean close) {
        return TestPlugin.request(name, (c, q, r) -> {}).lifecycle(
                start ? context -> events.add("start " + context.pluginName() + " " + context.setting("key", "-")
                        + " " + context.runnerVersion()) : null,
                close ? () -> events.add("close " + name) : null);
    }

    @Test
    void startHooksRunOnceInOrderWithTheirOwnSettingsAndCloseRunsOncePerCloseablePlugin() throws Exception {
        List<TestPlugin> plugins = List.of(plugin("a", true, true), plugin("b", false, true),
                plugin("c", true, false), plugin("d", false, false));
        PluginLifecycle lifecycle = PluginLifecycle.start(plugins, Map.of("A6_PLUGIN_A_KEY", "for-a",
                "A6_PLUGIN_C_KEY", "for-c"), "9.9");
        assertEquals(List.of("start a for-a 9.9", "start c for-c 9.9"), events);
        events.clear();
        assertTrue(lifecycle.close(1000));
        assertTrue(lifecycle.close(1000), "a second close does nothing");
        events.sort(null);
        assertEquals(List.of("close a", "close b"), events);
    }

    @Test
    void aFailedStartIsOneLineNamingThePluginAndClosesOnlyThePluginsStartedBeforeIt() {
        TestPlugin failing = TestPlugin.request("db", (c, q, r) -> {})
                .lifecycle(context -> context.requiredSetting("url"), () -> events.add("close db"));
        List<TestPlugin> plugins = List.of(plugin("a", true, true), failing, plugin("z", true, true));
        PluginStartException e = assertThrows(PluginStartException.class,
                () -> PluginLifecycle.start(plugins, Map.of(), "1"));
        assertEquals("plugin \"db\" (reliability.db) failed to start: A6_PLUGIN_DB_URL is not set: plugin \"db\" needs"
                + " setting \"url\"", e.getMessage());
        assertEquals("db", e.plugin());
        assertInstanceOf(SettingException.class, e.getCause());
        assertEquals(List.of("start a - 1", "close a"), events);
    }

    @Test
    void anyOtherExceptionIsNamedWithItsTypeAndCauseOnOneLine() {
        TestPlugin failing = TestPlugin.request("db", (c, q, r) -> {}).lifecycle(context -> {
            throw new IllegalStateException("no pool\nsecond line", new IOException("connection refused"));
        }, null);
        PluginStartException e = assertThrows(PluginStartException.class,
                () -> PluginLifecycle.start(List.of(failing), Map.of(), "1"));
        assertEquals("plugin \"db\" (reliability.db) failed to start: java.lang.IllegalStateException: no pool second line"
                + " (caused by java.io.IOException: connection refused)", e.getMessage());
    }

    @Test
    void aCloseThatThrowsOrHangsIsLoggedAndTheOthersStillClose() {
        CountDownLatch never = new CountDownLatch(1);
        TestPlugin throwing = TestPlugin.request("throws", (c, q, r) -> {}).lifecycle(null, () -> {
            throw new IOException("pool already gone");
        });
        TestPlugin hanging = TestPlugin.request("hangs", (c, q, r) -> {}).lifecycle(null, never::await);
        try (LogCapture log = new LogCapture()) {
            PluginLifecycle lifecycle = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> PluginLifecycle.start(List.of(throwing, hanging, plugin("fine", false, true)), Map.of(), "1"));
            boolean clean = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> lifecycle.close(100));
            assertFalse(clean);
            assertEquals(List.of("close fine"), events);
            assertEquals(1, log.matching("plugin \"throws\" (reliability.throws) failed to close: java.io.IOException: pool"
                    + " already gone").size(), log.lines().toString());
            assertEquals(1, log.matching("plugin \"hangs\" (reliability.hangs) did not close within 100 ms").size(),
                    log.lines().toString());
        } finally {
            never.countDown();
        }
    }

    @Test
    void closingFromTwoThreadsAtOnceClosesEachPluginOnce() throws Exception {
        PluginLifecycle lifecycle = PluginLifecycle.start(List.of(plugin("a", false, true)), Map.of(), "1");
        Thread other = new Thread(() -> lifecycle.close(1000));
        other.start();
        lifecycle.close(1000);
        other.join();
        assertEquals(List.of("close a"), events);
    }

    @Test
    void theContextGivesThePluginALoggerNamedAfterIt() throws Exception {
        List<String> names = new ArrayList<>();
        TestPlugin p = TestPlugin.request("forward-auth", (c, q, r) -> {})
                .lifecycle(context -> names.add(context.logger().getName()), null);
        PluginLifecycle.start(List.of(p), Map.of(), "1");
        assertEquals(List.of(PluginContext.loggerName("forward-auth")), names);
    }
}
