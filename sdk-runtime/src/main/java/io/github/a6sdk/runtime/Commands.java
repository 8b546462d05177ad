package io.github.a6sdk.runtime;

import java.io.InputStream;
import java.io.PrintStream;

/**
 * The plugin jar's commands other than {@code serve}: {@code dev}, {@code describe}, {@code validate}, {@code cds}.
 * Their classes (packages {@code dev} and {@code tools}) are loaded only when the command runs.
 */
public final class Commands {
    private Commands() {}

    /** Runs {@code command} on the standard streams; returns the exit status. */
    public static int run(String command, String[] args) {
        return run(command, args, System.in, System.out, System.err);
    }

    /** Runs {@code command} with the given streams (for tests and tools); returns the exit status. */
    public static int run(String command, String[] args, InputStream in, PrintStream out, PrintStream err) {
        switch (command) {
            case "help":
            case "--help":
            case "-h":
                out.println(usage());
                return 0;
            case "cds":
                return io.github.a6sdk.runtime.tools.Cds.run(args, out, err);
            case "dev":
                if (java.util.Arrays.asList(args).contains("--watch")) {
                    // before loading the plugins: this JVM must load nothing more from the jar Maven rewrites
                    return io.github.a6sdk.runtime.dev.DevWatch.launch(args, err);
                }
                break;
            case "describe":
            case "validate":
                break;
            default:
                err.println("unknown command \"" + command + "\"\n" + usage());
                return 2;
        }
        PluginCatalog catalog;
        try {
            catalog = PluginCatalog.load(Commands.class.getClassLoader());
        } catch (IllegalStateException | java.util.ServiceConfigurationError e) {
            err.println("error: cannot load the plugins: " + e.getMessage());
            return 1;
        }
        if (catalog.plugins().isEmpty()) {
            err.println("error: " + PluginCatalog.NO_PLUGINS);
            return 2;
        }
        switch (command) {
            case "dev":
                return io.github.a6sdk.runtime.dev.DevGateway.run(catalog, args, out, err);
            case "describe":
                return io.github.a6sdk.runtime.tools.Describe.run(catalog, args, out, err);
            default:
                return io.github.a6sdk.runtime.tools.Validate.run(catalog, args, in, out, err);
        }
    }

    static String usage() {
        return "usage: java -jar <plugins.jar> [command]\n"
                + "  serve      serve APISIX's ext-plugin protocol on APISIX_LISTEN_ADDRESS (the default)\n"
                + "  dev        play APISIX on http://localhost:9080 for this jar's plugins; --watch reloads them on every\n"
                + "             build (dev --help)\n"
                + "  describe   list the plugins: phases, prefetched vars and body, config schema (--json)\n"
                + "  validate   check a config: validate NAME 'JSON' | validate --route route.json ('-' reads stdin)\n"
                + "  cds        write a class-data sharing archive (plugins.jsa) for a faster start: java -XX:SharedArchiveFile=...";
    }
}
