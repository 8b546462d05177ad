package io.github.a6sdk.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PluginContextTest {
    private static final Map<String, String> ENV = Map.of(
            "A6_PLUGIN_FORWARD_AUTH_URI", " http://auth:9000/check ",
            "A6_PLUGIN_FORWARD_AUTH_CONNECT_TIMEOUT_MS", "250",
            "A6_PLUGIN_FORWARD_AUTH_BLANK", "  ",
            "A6_PLUGIN_FORWARD_AUTH_WORDS", "soon",
            "A6_PLUGIN_OTHER_URI", "http://other",
            "HOME", "/root");

    private final PluginContext context = PluginContext.of("forward-auth", ENV, "1.2.3");

    @Test
    void keysMapToVariablesUnderThePluginsPrefix() {
        assertEquals("A6_PLUGIN_FORWARD_AUTH_", PluginContext.settingsPrefix("forward-auth"));
        assertEquals("A6_PLUGIN_A_B_C_", PluginContext.settingsPrefix("a.b-c"));
        assertEquals("A6_PLUGIN_FORWARD_AUTH_CONNECT_TIMEOUT_MS", context.variable("connect-timeout-ms"));
        assertEquals("A6_PLUGIN_FORWARD_AUTH_CONNECT_TIMEOUT_MS", context.variable("CONNECT_TIMEOUT_MS"));
        assertEquals("A6_PLUGIN_FORWARD_AUTH_X_Y", context.variable("x.y"));
    }

    @Test
    void settingsAreTrimmedAndBlankCountsAsUnset() {
        assertEquals(Optional.of("http://auth:9000/check"), context.setting("uri"));
        assertEquals(Optional.empty(), context.setting("blank"));
        assertEquals("fallback", context.setting("blank", "fallback"));
        assertEquals("fallback", context.setting("missing", "fallback"));
        assertEquals("http://auth:9000/check", context.setting("uri", "fallback"));
    }

    @Test
    void otherPluginsVariablesAreNotVisible() {
        PluginContext auth = PluginContext.of("auth", ENV, "1.2.3");
        assertEquals(Optional.empty(), auth.setting("uri"));
        assertEquals(Optional.empty(), context.setting("home"));
        assertTrue(context.toString().contains("A6_PLUGIN_FORWARD_AUTH_URI"), context.toString());
        assertTrue(!context.toString().contains("A6_PLUGIN_OTHER_URI") && !context.toString().contains("http://"),
                "toString lists this plugin's variable names only, never values: " + context);
    }

    @Test
    void aMissingRequiredSettingNamesTheVariable() {
        SettingException e = assertThrows(SettingException.class, () -> context.requiredSetting("client-secret"));
        assertEquals("A6_PLUGIN_FORWARD_AUTH_CLIENT_SECRET", e.variable());
        assertEquals("A6_PLUGIN_FORWARD_AUTH_CLIENT_SECRET is not set: plugin \"forward-auth\" needs setting"
                + " \"client-secret\"", e.getMessage());
        assertEquals("http://auth:9000/check", context.requiredSetting("uri"));
    }

    @Test
    void intSettingsAreCheckedAgainstTheirRange() {
        assertEquals(250, context.intSetting("connect-timeout-ms", 1000, 1, 60_000));
        assertEquals(1000, context.intSetting("missing", 1000, 1, 60_000));
        SettingException words = assertThrows(SettingException.class, () -> context.intSetting("words", 1, 1, 9));
        assertEquals("A6_PLUGIN_FORWARD_AUTH_WORDS must be a whole number from 1 to 9, got \"soon\"", words.getMessage());
        SettingException range = assertThrows(SettingException.class,
                () -> context.intSetting("connect-timeout-ms", 1, 1, 100));
        assertEquals("A6_PLUGIN_FORWARD_AUTH_CONNECT_TIMEOUT_MS must be from 1 to 100, got 250", range.getMessage());
        PluginContext huge = PluginContext.of("p", Map.of("A6_PLUGIN_P_N", "99999999999"), "1");
        assertThrows(SettingException.class, () -> huge.intSetting("n", 1, 0, Integer.MAX_VALUE));
    }

    @Test
    void anInvalidKeyIsAProgrammingError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> context.setting("a b"));
        assertTrue(e.getMessage().contains("setting key \"a b\" of plugin \"forward-auth\" is invalid"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> context.setting(""));
        assertThrows(IllegalArgumentException.class, () -> context.variable("-x"));
    }

    @Test
    void nameVersionAndLogger() {
        assertEquals("forward-auth", context.pluginName());
        assertEquals("1.2.3", context.runnerVersion());
        assertEquals("a6.plugin.forward-auth", context.logger().getName());
    }
}
