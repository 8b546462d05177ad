package io.github.a6sdk.runtime.server;

import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.runtime.Chain;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The plugins seen to block an event loop's thread. Every call starts on the thread that read it;
 * one caught holding an event loop past {@link EventLoop#TAKEOVER_NANOS} names the plugin it was
 * in (the innermost frame of a plugin class of its chain; in a chain of one, that one), and that
 * plugin's calls go to worker threads from then on, for as long as the runner lives (see
 * {@link #learn} for a plugin caught running rather than waiting). A call caught outside any
 * plugin of a longer chain (waiting for APISIX's ExtraInfo answer, say) teaches nothing.
 */
final class KnownBlocking {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");

    private final Set<String> names = ConcurrentHashMap.newKeySet();
    /** Plugins caught once while running (not waiting): the next time, they are known to block. */
    private final Set<String> caughtRunning = ConcurrentHashMap.newKeySet();
    private volatile int generation;

    /** Whether a plugin of {@code chain} is known to block. */
    boolean blocks(Chain chain) {
        return chain != null && chain.knownBlocking(generation, names::contains);
    }

    /** Whether {@code plugin} is known to block. */
    boolean blocks(String plugin) {
        return names.contains(plugin);
    }

    /**
     * {@code thread} was caught in a call of {@code chain} holding {@code loop} for {@code heldNanos}.
     * A thread that was waiting (asleep, on a lock, on a future) blocks for sure; one that was running
     * may only have been descheduled on a busy machine, or paused by the garbage collector, so a
     * running plugin is known to block only when it is caught a second time.
     */
    void learn(Chain chain, Thread thread, String loop, long heldNanos) {
        if (chain == null || thread == null) {
            return;
        }
        Thread.State state = thread.getState();
        boolean waiting = state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING || state == Thread.State.BLOCKED;
        PluginDescriptor<?> sole = chain.soleDescriptor();
        // A chain of one names its plugin without a look at the stack (which stops the thread a moment).
        StackTraceElement[] stack = sole != null ? new StackTraceElement[0] : thread.getStackTrace();
        for (int i = 0; i <= stack.length; i++) {
            StackTraceElement frame = i < stack.length ? stack[i] : null;
            PluginDescriptor<?> plugin = frame == null ? chain.soleDescriptor() : chain.pluginOfClass(frame.getClassName());
            if (plugin == null) {
                continue; // past the last frame: a chain of one plugin names it, whatever its class (a lambda, say)
            }
            if (!waiting && caughtRunning.add(plugin.name())) {
                return; // the first time it was caught running: not sure yet
            }
            if (names.add(plugin.name())) {
                generation++;
                String held = String.valueOf(TimeUnit.NANOSECONDS.toMillis(heldNanos));
                Object where = frame == null ? "a frame of its own" : frame;
                if (plugin.blocking()) {
                    LOG.log(Level.INFO, "plugin \"{0}\" held event loop {1} for {2} ms (at {3}): another thread took the"
                            + " loop over, and its calls run on worker threads from now on", plugin.name(), loop, held, where);
                } else {
                    LOG.log(Level.WARNING, "plugin \"{0}\" says @ApisixPlugin(blocking = false) but held event loop {1} for"
                            + " {2} ms (at {3}): another thread took the loop over, and its calls run on worker threads"
                            + " from now on. Remove blocking = false from it", plugin.name(), loop, held, where);
                }
            }
            return;
        }
    }
}
