package io.github.a6sdk.runtime;

/** The plugin jar's commands other than {@code serve}. */
final class Commands {
    private Commands() {}

    static int run(String command, String[] args) {
        System.err.println("unknown command \"" + command + "\"\n" + usage());
        return 2;
    }

    static String usage() {
        return "usage: java -jar <plugins.jar> [command]\n"
                + "  serve      serve APISIX's ext-plugin protocol on APISIX_LISTEN_ADDRESS (the default)";
    }
}
