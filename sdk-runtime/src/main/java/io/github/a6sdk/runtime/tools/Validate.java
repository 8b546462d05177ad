package io.github.a6sdk.runtime.tools;

import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.runtime.PluginCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code validate NAME JSON|-} and {@code validate --route FILE|-}: parses configs exactly as
 * PrepareConf does ({@link PluginDescriptor#parseConfig}, which runs the record's own validation)
 * and prints the parsed record or the error. Exit status 0 when everything is valid, 1 otherwise,
 * 2 for a usage error.
 */
public final class Validate {
    static final String USAGE = "usage: validate NAME 'JSON'      (JSON may be - to read standard input)\n"
            + "       validate --route FILE      (an APISIX route or Admin API answer; FILE may be -)";

    private Validate() {}

    public static int run(PluginCatalog catalog, String[] args, InputStream in, PrintStream out, PrintStream err) {
        try {
            if (args.length == 2 && args[0].equals("--route")) {
                return route(catalog, read(args[1], in, true), out, err);
            }
            if (args.length == 2 && !args[0].startsWith("-")) {
                return single(catalog, args[0], read(args[1], in, false), out, err);
            }
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        err.println(USAGE);
        return 2;
    }

    private static String read(String arg, InputStream in, boolean file) throws IOException {
        if (arg.equals("-")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!file) {
            return arg;
        }
        try {
            return Files.readString(Path.of(arg));
        } catch (IOException e) {
            throw new IOException("cannot read " + arg + ": " + e, e);
        }
    }

    private static int single(PluginCatalog catalog, String name, String json, PrintStream out, PrintStream err) {
        PluginDescriptor<?> d = catalog.find(name);
        if (d == null) {
            err.println("error: no plugin named \"" + name + "\" in this jar (it has: " + String.join(", ", catalog.names()) + ")");
            return 1;
        }
        String problem = check(d, json);
        if (problem != null) {
            err.println("error: " + problem);
            return 1;
        }
        out.println("ok: " + name + " " + parsed(d, json));
        return 0;
    }

    /** The error of {@code json} as {@code d}'s config, or {@code null} when it parses. */
    static String check(PluginDescriptor<?> d, String json) {
        try {
            d.parseConfig(json);
            return null;
        } catch (ConfigException e) {
            return e.getMessage();
        } catch (RuntimeException e) {
            return "plugin \"" + d.name() + "\": the config parser failed: " + e;
        }
    }

    private static String parsed(PluginDescriptor<?> d, String json) {
        try {
            return String.valueOf(d.parseConfig(json));
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int route(PluginCatalog catalog, String text, PrintStream out, PrintStream err) {
        List<RouteConf.Route> routes;
        try {
            routes = RouteConf.routes(Json.parse(text));
        } catch (IOException e) {
            err.println("error: the route is not valid JSON: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
        int total = 0;
        int bad = 0;
        for (RouteConf.Route r : routes) {
            List<RouteConf.Entry> entries = RouteConf.entries(r.object());
            out.println(r.label() + ":");
            if (entries.isEmpty()) {
                out.println("  (no ext-plugin-pre-req, ext-plugin-post-req or ext-plugin-post-resp conf)");
            }
            for (RouteConf.Entry e : entries) {
                total++;
                String problem = problem(catalog, e);
                if (problem == null) {
                    out.println("  ok     " + e.where() + " " + e.name() + " " + parsed(catalog.find(e.name()), e.value()));
                } else {
                    bad++;
                    out.println("  error  " + e.where() + (e.name() == null ? "" : " " + e.name()) + ": " + problem);
                }
            }
        }
        if (total == 0) {
            err.println("error: no ext-plugin conf entries found");
            return 1;
        }
        out.println(bad == 0 ? "all " + total + " entries are valid" : bad + " of " + total + " entries are invalid");
        return bad == 0 ? 0 : 1;
    }

    /** What is wrong with one route entry for this jar, or {@code null}. */
    public static String problem(PluginCatalog catalog, RouteConf.Entry e) {
        if (e.problem() != null) {
            return e.problem();
        }
        PluginDescriptor<?> d = catalog.find(e.name());
        if (d == null) {
            return "no plugin named \"" + e.name() + "\" in this jar (it has: " + String.join(", ", catalog.names()) + ")";
        }
        boolean response = e.phase().equals("ext-plugin-post-resp");
        if (response && d.responseFilter() == null) {
            return "plugin \"" + d.name() + "\" has no response filter, so it cannot run in ext-plugin-post-resp";
        }
        if (!response && d.requestFilter() == null) {
            return "plugin \"" + d.name() + "\" has no request filter, so it cannot run in " + e.phase();
        }
        return check(d, e.value());
    }
}
