package io.github.a6sdk.api;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What the runner gives a plugin's {@link Startable#start} hook: the plugin's own settings, a
 * logger named after the plugin, and the runner's version.
 *
 * <p><b>Settings</b> are environment variables under a per-plugin prefix: {@code A6_PLUGIN_}, then
 * the plugin name upper-cased with {@code '-'} and {@code '.'} turned into {@code '_'}, then
 * {@code '_'} and the key, converted the same way. Setting {@code "connect-timeout-ms"} of plugin
 * {@code forward-auth} is {@code A6_PLUGIN_FORWARD_AUTH_CONNECT_TIMEOUT_MS}. A blank value counts as
 * unset. APISIX passes a variable to the runner only when {@code nginx_config.envs} in its
 * {@code config.yaml} lists it.
 *
 * <p>A context is built from a map (the runner passes {@link System#getenv()}, a test passes its own)
 * and keeps only the variables under its plugin's prefix. Immutable and thread-safe.
 */
public final class PluginContext {

    /** The prefix every plugin setting shares. */
    public static final String PREFIX = "A6_PLUGIN_";

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final String pluginName;
    private final String prefix;
    private final Map<String, String> settings;
    private final String runnerVersion;
    private final System.Logger logger;

    private PluginContext(String pluginName, Map<String, String> settings, String runnerVersion) {
        this.pluginName = pluginName;
        this.prefix = settingsPrefix(pluginName);
        this.settings = settings;
        this.runnerVersion = runnerVersion;
        this.logger = System.getLogger(loggerName(pluginName));
    }

    /**
     * The context of plugin {@code pluginName}, with its settings taken from {@code environment}
     * (variables of other plugins, and any other variable, are ignored).
     */
    public static PluginContext of(String pluginName, Map<String, String> environment, String runnerVersion) {
        Objects.requireNonNull(pluginName, "pluginName");
        Objects.requireNonNull(runnerVersion, "runnerVersion");
        String prefix = settingsPrefix(pluginName);
        Map<String, String> own = new TreeMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith(prefix) && value != null && !value.isBlank()) {
                own.put(name, value.trim());
            }
        });
        return new PluginContext(pluginName, own, runnerVersion);
    }

    /** {@code A6_PLUGIN_FORWARD_AUTH_} for plugin {@code forward-auth}. */
    public static String settingsPrefix(String pluginName) {
        return PREFIX + upper(pluginName) + "_";
    }

    /** The name of the plugins' loggers: {@code a6.plugin.} and the plugin name. */
    public static String loggerName(String pluginName) {
        return "a6.plugin." + pluginName;
    }

    /** The plugin's name, from {@code @ApisixPlugin(name = ...)}. */
    public String pluginName() {
        return pluginName;
    }

    /** The runner's version ({@code "dev"} when it runs from a build without one). */
    public String runnerVersion() {
        return runnerVersion;
    }

    /**
     * A logger named {@code a6.plugin.<name>}; the runner prints the plugin name on each line, and
     * its lines go to stderr, which APISIX copies into its error.log.
     */
    public System.Logger logger() {
        return logger;
    }

    /**
     * The environment variable that holds setting {@code key}: {@code "connect-timeout-ms"} gives
     * {@code A6_PLUGIN_FORWARD_AUTH_CONNECT_TIMEOUT_MS}.
     *
     * @throws IllegalArgumentException when the key is not letters, digits, {@code '-'}, {@code '_'}
     *     and {@code '.'}, starting with a letter or digit
     */
    public String variable(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("setting key \"" + key + "\" of plugin \"" + pluginName
                    + "\" is invalid: use letters, digits, '-', '_' and '.', starting with a letter or digit");
        }
        return prefix + upper(key);
    }

    /** The setting, or empty when its variable is unset or blank. The value is trimmed. */
    public Optional<String> setting(String key) {
        return Optional.ofNullable(settings.get(variable(key)));
    }

    /** The setting, or {@code defaultValue} when its variable is unset or blank. */
    public String setting(String key, String defaultValue) {
        return setting(key).orElse(defaultValue);
    }

    /**
     * The setting.
     *
     * @throws SettingException naming the variable when it is unset or blank
     */
    public String requiredSetting(String key) {
        String variable = variable(key);
        String value = settings.get(variable);
        if (value == null) {
            throw new SettingException(variable, variable + " is not set: plugin \"" + pluginName
                    + "\" needs setting \"" + key + "\"");
        }
        return value;
    }

    /**
     * The setting as a whole number from {@code min} to {@code max}, or {@code defaultValue} when its
     * variable is unset or blank.
     *
     * @throws SettingException naming the variable and the value when it is not such a number
     */
    public int intSetting(String key, int defaultValue, int min, int max) {
        String variable = variable(key);
        String raw = settings.get(variable);
        if (raw == null) {
            return defaultValue;
        }
        long value;
        try {
            value = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new SettingException(variable, variable + " must be a whole number from " + min + " to " + max
                    + ", got \"" + raw + "\"");
        }
        if (value < min || value > max) {
            throw new SettingException(variable, variable + " must be from " + min + " to " + max + ", got " + raw);
        }
        return (int) value;
    }

    private static String upper(String name) {
        return name.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
    }

    @Override
    public String toString() {
        return "PluginContext[" + pluginName + ", settings " + settings.keySet() + "]";
    }
}
