package io.github.a6sdk.api;

/**
 * A plugin config that cannot be used: malformed JSON, an unknown or missing field, a value of the
 * wrong type, or an exception thrown by the record's own validation. The message names the plugin
 * and, where there is one, the JSON path of the offending value ({@code $.limits[2].rate}).
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String plugin;
    private final String path;

    /**
     * A config error; the message reads {@code plugin "<plugin>": bad config at <path>: <reason>}.
     *
     * @param plugin the plugin whose config failed
     * @param path the JSON path of the offending value, {@code $} for the whole config, or {@code null}
     * @param reason what is wrong
     * @param cause the exception behind it, or {@code null}
     */
    public ConfigException(String plugin, String path, String reason, Throwable cause) {
        super(format(plugin, path, reason), cause);
        this.plugin = plugin;
        this.path = path;
    }

    /**
     * A config error without a cause.
     *
     * @param plugin the plugin whose config failed
     * @param path the JSON path of the offending value, {@code $} for the whole config, or {@code null}
     * @param reason what is wrong
     */
    public ConfigException(String plugin, String path, String reason) {
        this(plugin, path, reason, null);
    }

    private static String format(String plugin, String path, String reason) {
        StringBuilder sb = new StringBuilder("plugin \"").append(plugin).append("\": bad config");
        if (path != null && !path.isEmpty()) {
            sb.append(" at ").append(path);
        }
        return sb.append(": ").append(reason).toString();
    }

    /** The plugin whose config failed. */
    public String plugin() {
        return plugin;
    }

    /** The JSON path of the offending value ({@code $} for the whole document), or {@code null}. */
    public String path() {
        return path;
    }
}
