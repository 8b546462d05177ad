package io.github.a6sdk.runtime;

import io.github.a6sdk.api.PluginContext;
import io.github.a6sdk.api.SettingException;
import io.github.a6sdk.api.spi.PluginDescriptor;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts and closes the plugins of a runner. {@link #start} runs every start hook once, in the
 * catalogue's (name) order, before the runner serves; {@link #close} closes every
 * {@link AutoCloseable} plugin that was started exactly once, whoever calls it and however often,
 * each on its own daemon thread so that a close that hangs cannot hold the others or the exit; it
 * waits at most the given time in all, and logs a close that throws or is still running then.
 */
public final class PluginLifecycle {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");

    /** How long the runner waits for plugins to close on shutdown, in all (APISIX sends SIGKILL 1 s after SIGTERM). */
    public static final long CLOSE_MILLIS = 200;

    private final List<PluginDescriptor<?>> started;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PluginLifecycle(List<PluginDescriptor<?>> started) {
        this.started = List.copyOf(started);
    }

    /** A lifecycle with no started plugin: closing it closes nothing. */
    static PluginLifecycle none() {
        return new PluginLifecycle(List.of());
    }

    /**
     * Calls the start hook of each plugin, with a {@link PluginContext} built from {@code environment}.
     * When one fails, the plugins started before it are closed (within {@link #CLOSE_MILLIS}) and the
     * failure is thrown.
     *
     * @throws PluginStartException naming the plugin and the cause, in one line
     */
    public static PluginLifecycle start(List<? extends PluginDescriptor<?>> plugins, Map<String, String> environment,
            String runnerVersion) throws PluginStartException {
        List<PluginDescriptor<?>> started = new ArrayList<>(plugins.size());
        for (PluginDescriptor<?> plugin : plugins) {
            if (plugin.hasStartHook()) {
                try {
                    plugin.startPlugin(PluginContext.of(plugin.name(), environment, runnerVersion));
                } catch (Exception | LinkageError e) {
                    new PluginLifecycle(started).close(CLOSE_MILLIS);
                    throw new PluginStartException(plugin.name(), "plugin \"" + plugin.name() + "\" ("
                            + plugin.className() + ") failed to start: " + cause(e), e);
                }
            }
            started.add(plugin);
        }
        return new PluginLifecycle(started);
    }

    /** The cause in one line: a setting error's own message, else the exception and its message. */
    static String cause(Throwable e) {
        String text = e instanceof SettingException ? e.getMessage() : e.toString();
        Throwable inner = e.getCause();
        if (inner != null && inner != e && !(e instanceof SettingException)) {
            text += " (caused by " + inner + ")";
        }
        return text.replace('\n', ' ').replace('\r', ' ');
    }

    /**
     * Closes every {@link AutoCloseable} plugin, all at once, each on its own daemon thread, and waits
     * for them for at most {@code millis} in all. Only the first call does anything. Returns whether
     * every plugin closed without an exception in time.
     */
    public boolean close(long millis) {
        if (!closed.compareAndSet(false, true)) {
            return true;
        }
        List<Thread> threads = new ArrayList<>();
        List<PluginDescriptor<?>> closing = new ArrayList<>();
        AtomicBoolean failed = new AtomicBoolean();
        for (PluginDescriptor<?> plugin : started) {
            if (!plugin.isCloseable()) {
                continue;
            }
            Thread t = new Thread(() -> {
                try {
                    plugin.closePlugin();
                } catch (Exception | LinkageError e) {
                    failed.set(true);
                    LOG.log(Level.WARNING, "plugin \"{0}\" ({1}) failed to close: {2}", plugin.name(),
                            plugin.className(), cause(e));
                }
            }, "a6-close-" + plugin.name());
            t.setDaemon(true);
            t.start();
            threads.add(t);
            closing.add(plugin);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        boolean allClosed = true;
        for (int i = 0; i < threads.size(); i++) {
            Thread t = threads.get(i);
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                allClosed = false;
                PluginDescriptor<?> plugin = closing.get(i);
                LOG.log(Level.WARNING, "plugin \"{0}\" ({1}) did not close within {2} ms; exiting without waiting for it",
                        plugin.name(), plugin.className(), String.valueOf(millis));
            }
        }
        return allClosed && !failed.get();
    }
}
