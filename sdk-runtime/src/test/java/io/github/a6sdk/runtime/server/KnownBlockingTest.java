package io.github.a6sdk.runtime.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.api.RequestFilter;
import io.github.a6sdk.api.ResponseFilter;
import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.runtime.Chain;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a call caught holding an event loop teaches: only a thread caught in its plugin's code (or a
 * library's that the plugin called) makes the plugin known to block; one caught in the runner's own
 * code (a lock of the runner's, a wait for APISIX's ExtraInfo answer, or simply descheduled there on a
 * busy machine) teaches nothing, however often.
 */
class KnownBlockingTest {
    private static final long HELD = 5_000_000;

    private final KnownBlocking known = new KnownBlocking();

    @Test
    void aPluginCaughtAsleepInItsOwnCodeIsKnownToBlockAtOnce() {
        Chain chain = Chain.of(plugin("sleeper", "com.example.Sleeper"), "");
        known.learn(chain, Thread.State.TIMED_WAITING, stack("java.lang.Thread.sleep", "com.example.Sleeper.filter",
                "io.github.a6sdk.runtime.Chain.runRequest", "io.github.a6sdk.runtime.server.EventLoop.turn"), "a6-loop-1", HELD);
        assertTrue(known.blocks("sleeper"));
        assertTrue(known.blocks(chain));
    }

    @Test
    void aThreadWaitingInTheRunnersOwnCodeTeachesNothing() {
        // A noop plugin's call whose thread met a lock of the runner's (or was descheduled in its code)
        // while 64 threads shared 2 cores: before, the plugin went to workers for good.
        Chain chain = Chain.of(plugin("noop", "com.example.Noop"), "");
        for (Thread.State state : new Thread.State[] {Thread.State.WAITING, Thread.State.BLOCKED, Thread.State.RUNNABLE,
                Thread.State.RUNNABLE, Thread.State.TIMED_WAITING}) {
            known.learn(chain, state, stack("jdk.internal.misc.Unsafe.park", "java.util.concurrent.locks.LockSupport.park",
                    "java.util.concurrent.locks.ReentrantLock.lock", "io.github.a6sdk.runtime.server.LoopConnection.flush",
                    "io.github.a6sdk.runtime.server.CallHandler.handle", "io.github.a6sdk.runtime.server.EventLoop.turn"),
                    "a6-loop-1", HELD);
        }
        assertFalse(known.blocks("noop"));
        assertFalse(known.blocks(chain));
    }

    @Test
    void aPluginWaitingForApisixsAnswerToAVariableIsNotBlamed() {
        Chain chain = Chain.of(plugin("vars", "com.example.Vars"), "");
        known.learn(chain, Thread.State.RUNNABLE, stack("sun.nio.ch.EPoll.wait", "io.github.a6sdk.runtime.server.Exchange.await",
                "io.github.a6sdk.runtime.call.RequestView.var", "com.example.Vars.filter", "io.github.a6sdk.runtime.Chain.runRequest"),
                "a6-loop-1", HELD);
        known.learn(chain, Thread.State.RUNNABLE, stack("io.github.a6sdk.runtime.call.ExtraInfo.ask", "com.example.Vars.filter"),
                "a6-loop-1", HELD);
        assertFalse(known.blocks("vars"));
    }

    @Test
    void aPluginCaughtRunningIsKnownToBlockOnlyTheSecondTime() {
        Chain chain = Chain.of(plugin("busy", "com.example.Busy"), "");
        StackTraceElement[] spinning = stack("com.example.Busy.compute", "com.example.Busy.filter", "io.github.a6sdk.runtime.Chain.runRequest");
        known.learn(chain, Thread.State.RUNNABLE, spinning, "a6-loop-2", HELD);
        assertFalse(known.blocks("busy"), "a running thread may only have been descheduled");
        known.learn(chain, Thread.State.RUNNABLE, spinning, "a6-loop-2", HELD);
        assertTrue(known.blocks("busy"));
    }

    @Test
    void aLibraryWaitingBelowAPluginNamesThatPluginInALongerChain() {
        Chain chain = Chain.of(plugin("auth", "com.example.Auth"), "").then(Chain.of(plugin("log", "com.example.Log"), ""));
        known.learn(chain, Thread.State.WAITING, stack("java.net.SocketInputStream.read", "org.redis.Client.get",
                "com.example.Log.filter", "io.github.a6sdk.runtime.Chain.runRequest"), "a6-loop-1", HELD);
        assertTrue(known.blocks("log"));
        assertFalse(known.blocks("auth"));
    }

    @Test
    void aSolePluginIsNamedWhateverTheClassOfItsFrame() {
        // A subclass's inherited filter, or a lambda, shows another class name in the frame.
        Chain chain = Chain.of(plugin("sleep", "com.example.defaults.Sleep"), "");
        known.learn(chain, Thread.State.TIMED_WAITING, stack("java.lang.Thread.sleep", "com.example.plugins.Sleep.filter",
                "io.github.a6sdk.runtime.Chain.runRequest"), "a6-loop-1", HELD);
        assertTrue(known.blocks("sleep"));
    }

    @Test
    void aLongerChainCaughtInALibraryThatNoPluginOfItCalledTeachesNothing() {
        Chain chain = Chain.of(plugin("a", "com.example.A"), "").then(Chain.of(plugin("b", "com.example.B"), ""));
        known.learn(chain, Thread.State.WAITING, stack("java.lang.Object.wait", "org.lib.Pool.borrow", "org.lib.Other.run"),
                "a6-loop-1", HELD);
        assertFalse(known.blocks("a"));
        assertFalse(known.blocks("b"));
    }

    private static StackTraceElement[] stack(String... frames) {
        StackTraceElement[] out = new StackTraceElement[frames.length];
        for (int i = 0; i < frames.length; i++) {
            int dot = frames[i].lastIndexOf('.');
            out[i] = new StackTraceElement(frames[i].substring(0, dot), frames[i].substring(dot + 1), null, -1);
        }
        return out;
    }

    private static PluginDescriptor<String> plugin(String name, String className) {
        return new PluginDescriptor<>() {
            @Override public String name() { return name; }
            @Override public String className() { return className; }
            @Override public String configType() { return "java.lang.String"; }
            @Override public List<String> prefetchVars() { return List.of(); }
            @Override public boolean prefetchRequestBody() { return false; }
            @Override public boolean prefetchResponseBody() { return false; }
            @Override public RequestFilter<String> requestFilter() { return (c, req, resp) -> { }; }
            @Override public ResponseFilter<String> responseFilter() { return null; }
            @Override public String parseConfig(String json) { return json; }
            @Override public String configSchema() { return "{}"; }
        };
    }
}
