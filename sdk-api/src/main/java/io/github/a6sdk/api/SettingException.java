package io.github.a6sdk.api;

/**
 * A plugin setting that is missing or malformed. The message names the environment variable, says
 * what is wrong and what to set. Thrown by {@link PluginContext}'s getters; thrown from a
 * {@link Startable#start} hook, it stops the runner's start with that message.
 */
public final class SettingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String variable;

    /**
     * A bad setting.
     *
     * @param variable the environment variable at fault
     * @param message what is wrong and what to set, naming the variable
     */
    public SettingException(String variable, String message) {
        super(message);
        this.variable = variable;
    }

    /** The environment variable at fault, such as {@code A6_PLUGIN_FORWARD_AUTH_URI}. */
    public String variable() {
        return variable;
    }
}
