package io.github.a6sdk.runtime;

/**
 * A plugin's start hook failed. The message is one line: the plugin, its class and the cause, such
 * as {@code plugin "forward-auth" (com.example.ForwardAuth) failed to start: A6_PLUGIN_FORWARD_AUTH_URI
 * is not set: ...}.
 */
public final class PluginStartException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String plugin;

    PluginStartException(String plugin, String message, Throwable cause) {
        super(message, cause);
        this.plugin = plugin;
    }

    /** The name of the plugin whose start hook failed. */
    public String plugin() {
        return plugin;
    }
}
