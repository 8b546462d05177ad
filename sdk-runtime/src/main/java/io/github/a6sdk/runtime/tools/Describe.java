package io.github.a6sdk.runtime.tools;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonWriter;
import io.github.a6sdk.api.PluginContext;
import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.runtime.PluginCatalog;
import io.github.a6sdk.runtime.metrics.Metrics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code describe [--json] [NAME...]}: every plugin of the jar, its phases, prefetch, lifecycle
 * (start hook and its settings prefix, close) and config schema; with {@code --json}, also the names
 * of the metric families the runner serves.
 */
public final class Describe {
    static final String USAGE = "usage: describe [--json] [NAME...]";

    private Describe() {}

    public static int run(PluginCatalog catalog, String[] args, PrintStream out, PrintStream err) {
        boolean json = false;
        List<PluginDescriptor<?>> chosen = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--json")) {
                json = true;
            } else if (a.startsWith("-")) {
                err.println("unknown option " + a + "\n" + USAGE);
                return 2;
            } else if (catalog.find(a) == null) {
                err.println("error: no plugin named \"" + a + "\" in this jar (it has: " + String.join(", ", catalog.names()) + ")");
                return 1;
            } else {
                chosen.add(catalog.find(a));
            }
        }
        if (chosen.isEmpty()) {
            chosen = catalog.plugins();
        }
        if (json) {
            out.println(json(chosen));
            return 0;
        }
        if (chosen.isEmpty()) {
            err.println("error: " + PluginCatalog.NO_PLUGINS);
            return 2;
        }
        for (PluginDescriptor<?> d : chosen) {
            out.println(d.name() + "  (" + d.className() + ")");
            out.println("  phases: " + String.join(", ", phases(d)));
            out.println("  config: " + d.configType());
            out.println("  vars:   " + (d.prefetchVars().isEmpty() ? "-" : String.join(", ", d.prefetchVars())));
            List<String> bodies = new ArrayList<>();
            if (d.prefetchRequestBody()) {
                bodies.add("request body");
            }
            if (d.prefetchResponseBody()) {
                bodies.add("response body");
            }
            out.println("  body:   " + (bodies.isEmpty() ? "-" : String.join(", ", bodies)));
            out.println("  hooks:  " + hooks(d));
            if (d.requestState()) {
                out.println("  state:  request state (request_id asked in the prefetch round)");
            }
            out.println("  schema: " + Json.pretty(d.configSchema()).replace("\n", "\n  "));
            out.println();
        }
        return 0;
    }

    /** {@code start (settings A6_PLUGIN_X_*), close}, or {@code -} for neither. */
    static String hooks(PluginDescriptor<?> d) {
        List<String> parts = new ArrayList<>(2);
        if (d.hasStartHook()) {
            parts.add("start (settings " + PluginContext.settingsPrefix(d.name()) + "*)");
        }
        if (d.isCloseable()) {
            parts.add("close");
        }
        return parts.isEmpty() ? "-" : String.join(", ", parts);
    }

    /** The APISIX plugins a descriptor can be configured under. */
    public static List<String> phases(PluginDescriptor<?> d) {
        List<String> phases = new ArrayList<>(3);
        if (d.requestFilter() != null) {
            phases.add("ext-plugin-pre-req");
            phases.add("ext-plugin-post-req");
        }
        if (d.responseFilter() != null) {
            phases.add("ext-plugin-post-resp");
        }
        return phases;
    }

    static String json(List<PluginDescriptor<?>> plugins) {
        StringWriter s = new StringWriter();
        try {
            JsonWriter w = new JsonWriter(s);
            w.setIndent("  ");
            w.setStrictness(Strictness.LENIENT);
            w.beginObject().name("plugins").beginArray();
            for (PluginDescriptor<?> d : plugins) {
                w.beginObject();
                w.name("name").value(d.name());
                w.name("className").value(d.className());
                w.name("configType").value(d.configType());
                w.name("phases").beginArray();
                for (String p : phases(d)) {
                    w.value(p);
                }
                w.endArray();
                w.name("vars").beginArray();
                for (String v : d.prefetchVars()) {
                    w.value(v);
                }
                w.endArray();
                w.name("requestBody").value(d.prefetchRequestBody());
                w.name("responseBody").value(d.prefetchResponseBody());
                w.name("startHook").value(d.hasStartHook());
                w.name("closeable").value(d.isCloseable());
                w.name("requestState").value(d.requestState());
                w.name("settingsPrefix").value(PluginContext.settingsPrefix(d.name()));
                w.name("configSchema");
                Json.write(w, Json.parse(d.configSchema()));
                w.endObject();
            }
            w.endArray();
            // The Prometheus families the runner serves with A6_METRICS_ADDRESS (README "Observability").
            w.name("metrics").beginArray();
            for (String m : Metrics.names()) {
                w.value(m);
            }
            w.endArray().endObject().flush();
        } catch (IOException e) {
            throw new IllegalStateException("a plugin's config schema is not valid JSON: " + e.getMessage(), e);
        }
        return s.toString();
    }
}
