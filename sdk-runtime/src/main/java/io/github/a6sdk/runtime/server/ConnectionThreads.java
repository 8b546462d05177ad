package io.github.a6sdk.runtime.server;

/**
 * Starts the thread that serves one connection. On Java 17 these are platform threads with a small
 * stack. The jar is multi-release: on Java 21 and later, {@code META-INF/versions/21} holds a variant
 * that can use virtual threads ({@code A6_THREADS=virtual}).
 */
public final class ConnectionThreads {
    private static final long STACK_SIZE = 256 * 1024;

    private ConnectionThreads() {}

    /** The kind of threads in use, for the start line: "platform" or "virtual". */
    public static String kind(String requested) {
        return "platform";
    }

    public static void start(String requested, Runnable task, String name) {
        Thread t = new Thread(null, task, name, STACK_SIZE);
        t.setDaemon(true);
        t.start();
    }
}
