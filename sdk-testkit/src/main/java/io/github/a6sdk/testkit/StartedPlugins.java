package io.github.a6sdk.testkit;

import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.runtime.Main;
import io.github.a6sdk.runtime.PluginLifecycle;
import io.github.a6sdk.runtime.PluginStartException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The start hooks and closing of plugins, for tests that run them in memory with
 * {@link PluginChain}: {@link #start} calls each plugin's start hook once, as the runner does
 * before it serves, with settings from the given map instead of the real environment; {@link #close}
 * closes each {@code AutoCloseable} plugin once, as the runner does after its drain. Pass the same
 * descriptor instances to the chains: each descriptor holds its own plugin instance.
 *
 * <pre>{@code
 * ForwardAuth_Descriptor auth = new ForwardAuth_Descriptor();
 * StartedPlugins started = StartedPlugins.start(Map.of("A6_PLUGIN_FORWARD_AUTH_URI", url), auth);
 * try {
 *     PluginChain.of(auth, "{}").request(TestRequest.get("/")).assertPassed();
 * } finally {
 *     started.close();
 * }
 * }</pre>
 *
 * (A try-with-resources whose body does not use {@code started} draws javac's {@code -Xlint:try}
 * warning, hence {@code finally}; or start in {@code @BeforeAll} and close in {@code @AfterAll}.)
 */
public final class StartedPlugins implements AutoCloseable {
    private final PluginLifecycle lifecycle;

    private StartedPlugins(PluginLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    /**
     * Calls the start hooks of {@code plugins} in order.
     *
     * @param settings environment variables as the runner would see them, such as
     *     {@code A6_PLUGIN_FORWARD_AUTH_URI}; other variables are ignored
     * @throws IllegalStateException with the line the runner would log, when a start hook fails (the
     *     plugins started before it are closed); its cause is the plugin's exception
     */
    public static StartedPlugins start(Map<String, String> settings, PluginDescriptor<?>... plugins) {
        return new StartedPlugins(lifecycle(Arrays.asList(plugins), settings));
    }

    static PluginLifecycle lifecycle(List<? extends PluginDescriptor<?>> plugins, Map<String, String> settings) {
        try {
            return PluginLifecycle.start(plugins, settings, Main.version());
        } catch (PluginStartException e) {
            throw new IllegalStateException(e.getMessage(), e.getCause());
        }
    }

    /**
     * Closes each {@code AutoCloseable} plugin once (later calls do nothing), waiting at most
     * {@value PluginLifecycle#CLOSE_MILLIS} ms in all; a close that throws or hangs is logged, as
     * the runner does.
     */
    @Override
    public void close() {
        lifecycle.close(PluginLifecycle.CLOSE_MILLIS);
    }
}
