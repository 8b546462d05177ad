package io.github.a6sdk.runtime;

/** A plugin threw, or a phase was asked of a plugin that does not implement it. */
public final class PluginFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final String plugin;

    public PluginFailure(String plugin, String message, Throwable cause) {
        super(message, cause);
        this.plugin = plugin;
    }

    public String plugin() {
        return plugin;
    }
}
