package io.github.a6sdk.runtime.server;

/**
 * Java 21+ variant (multi-release jar): virtual threads when {@code A6_THREADS=virtual}, otherwise
 * platform threads with a small stack, as on Java 17.
 */
public final class ConnectionThreads {
    private static final long STACK_SIZE = 256 * 1024;

    private ConnectionThreads() {}

    public static String kind(String requested) {
        return "virtual".equalsIgnoreCase(requested) ? "virtual" : "platform";
    }

    public static void start(String requested, Runnable task, String name) {
        if ("virtual".equalsIgnoreCase(requested)) {
            Thread.ofVirtual().name(name).start(task);
            return;
        }
        Thread t = new Thread(null, task, name, STACK_SIZE);
        t.setDaemon(true);
        t.start();
    }
}
