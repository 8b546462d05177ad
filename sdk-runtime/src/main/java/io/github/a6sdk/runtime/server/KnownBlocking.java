package io.github.a6sdk.runtime.server;

import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.runtime.Chain;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The plugins seen to block an event loop's thread. Every call starts on the thread that read it;
 * one caught holding an event loop past {@link EventLoop#TAKEOVER_NANOS} teaches which plugin
 * blocks from what its thread was doing at that moment, and that plugin's calls go to worker
 * threads from then on, for as long as the runner lives.
 *
 * <p>Only a thread caught in code of its own plugin (or of a library that plugin called) teaches
 * anything: the first frame from the top that is not the JDK's must not be the runner's. A thread
 * caught in the runner's code was not held by a plugin: it waited for APISIX's ExtraInfo answer,
 * met a lock of the runner's for a moment, or was descheduled on a busy machine with more threads
 * than cores (one runnable thread of 64 on 2 cores can wait its turn for milliseconds), and
 * learning from that would send a plugin that never blocks to workers for good, at twice the CPU
 * per call. A thread caught waiting (asleep, on I/O, on a lock) in plugin code blocks for sure;
 * one caught running may only have been descheduled, so a running plugin is learned the second
 * time it is caught.
 */
final class KnownBlocking {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");

    /** Where the runner's own code is: its packages and classes on a call's path, and the API's default methods. */
    private static final String[] RUNNER = {
        "io.github.a6sdk.api.", "io.github.a6sdk.runtime.server.", "io.github.a6sdk.runtime.protocol.",
        "io.github.a6sdk.runtime.call.", "io.github.a6sdk.runtime.metrics.", "io.github.a6sdk.runtime.fbs.",
        "io.github.a6sdk.runtime.transport.", "io.github.a6sdk.runtime.security.", "io.github.a6sdk.runtime.Chain",
        "io.github.a6sdk.runtime.ConfCache", "io.github.a6sdk.runtime.RequestStates", "io.github.a6sdk.runtime.RunnerLogging",
        "io.github.a6sdk.runtime.LogFileHandler", "io.github.a6sdk.runtime.PluginFailure",
    };

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
     * A call of {@code chain} was caught holding {@code loop} for {@code heldNanos}; its thread was in
     * {@code state}, with {@code stack} (innermost frame first), at that moment.
     */
    void learn(Chain chain, Thread.State state, StackTraceElement[] stack, String loop, long heldNanos) {
        if (chain == null || stack == null) {
            return;
        }
        PluginDescriptor<?> plugin = null;
        StackTraceElement where = null;
        for (StackTraceElement frame : stack) {
            String cls = frame.getClassName();
            if (isJdk(cls)) {
                continue;
            }
            if (where == null) {
                if (isRunner(cls)) {
                    return; // the runner's own code, not a plugin's
                }
                where = frame;
            }
            plugin = chain.pluginOfClass(cls);
            if (plugin != null) {
                break;
            }
        }
        if (where == null) {
            return;
        }
        if (plugin == null) {
            plugin = chain.soleDescriptor(); // a chain of one: its plugin, whatever its class (a subclass, a lambda)
        }
        if (plugin == null) {
            return;
        }
        boolean waiting = state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING || state == Thread.State.BLOCKED;
        if (!waiting && caughtRunning.add(plugin.name())) {
            return; // the first time it was caught running: not sure yet
        }
        if (names.add(plugin.name())) {
            generation++;
            String held = String.valueOf(TimeUnit.NANOSECONDS.toMillis(heldNanos));
            if (plugin.blocking()) {
                LOG.log(Level.INFO, "plugin \"{0}\" held event loop {1} for {2} ms (at {3}): another thread took the"
                        + " loop over, and its calls run on worker threads from now on", plugin.name(), loop, held, where);
            } else {
                LOG.log(Level.WARNING, "plugin \"{0}\" says @ApisixPlugin(blocking = false) but held event loop {1} for"
                        + " {2} ms (at {3}): another thread took the loop over, and its calls run on worker threads"
                        + " from now on. Remove blocking = false from it", plugin.name(), loop, held, where);
            }
        }
    }

    /** The JDK's own classes: a plugin that blocks is found below them (Thread.sleep, a socket read, a lock). */
    private static boolean isJdk(String cls) {
        return cls.startsWith("java.") || cls.startsWith("javax.") || cls.startsWith("jdk.")
                || cls.startsWith("sun.") || cls.startsWith("com.sun.");
    }

    /**
     * The runner's own classes, which never wait on a plugin's behalf. (Named one by one rather than by
     * the runtime's root package, which is also where plugins written in the runtime's own tests live.)
     */
    private static boolean isRunner(String cls) {
        for (String prefix : RUNNER) {
            if (cls.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
