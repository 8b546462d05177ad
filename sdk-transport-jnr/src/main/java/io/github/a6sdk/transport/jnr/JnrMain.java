package io.github.a6sdk.transport.jnr;

import io.github.a6sdk.runtime.Main;

/**
 * Main class of a plugin jar that serves over jnr-unixsocket: set it as the jar's {@code Main-Class}
 * instead of {@code io.github.a6sdk.runtime.Main}.
 */
public final class JnrMain {
    private JnrMain() {}

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("serve")) {
            System.exit(Main.serve(new JnrTransport()));
        }
        Main.main(args);
    }
}
