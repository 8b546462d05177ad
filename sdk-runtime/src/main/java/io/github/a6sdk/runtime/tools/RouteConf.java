package io.github.a6sdk.runtime.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code ext-plugin-*} entries of APISIX routes, read from Admin API output or bare route
 * objects, with APISIX's own schema checks on each entry (docs/protocol.md section 9.3).
 */
public final class RouteConf {
    /** APISIX's three ext-plugin plugins, in the order they run. */
    public static final List<String> PHASES = List.of("ext-plugin-pre-req", "ext-plugin-post-req", "ext-plugin-post-resp");

    private RouteConf() {}

    /**
     * One {@code conf} item.
     *
     * @param phase the APISIX plugin ({@code ext-plugin-pre-req}, ...)
     * @param index its position in {@code conf}
     * @param name the runner plugin name, or {@code null} when missing
     * @param value the config text, or {@code null} when missing or not a string
     * @param problem what APISIX's schema would reject, or {@code null}
     */
    public record Entry(String phase, int index, String name, String value, String problem) {
        /** {@code ext-plugin-pre-req.conf[0]}, or {@code plugins.ext-plugin-pre-req} for the plugin as a whole. */
        public String where() {
            return index < 0 ? "plugins." + phase : phase + ".conf[" + index + "]";
        }
    }

    /** A route object with a label for messages. */
    public record Route(String label, Map<String, Object> object) {}

    /**
     * The routes of a document: an Admin API answer ({@code {"value":{...}}}, {@code {"node":{"value":...}}},
     * {@code {"list":[{"value":...}]}}), a bare route object, an array of routes or {@code {"routes":[...]}}.
     */
    public static List<Route> routes(Object doc) {
        List<Route> out = new ArrayList<>();
        collect(doc, "$", out);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void collect(Object doc, String path, List<Route> out) {
        if (doc instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                collect(list.get(i), path + "[" + i + "]", out);
            }
            return;
        }
        if (!(doc instanceof Map)) {
            throw new IllegalArgumentException(path + ": expected a route object but found " + Json.typeOf(doc));
        }
        Map<String, Object> map = (Map<String, Object>) doc;
        if (map.get("value") instanceof Map && !map.containsKey("plugins")) {
            collect(map.get("value"), path + ".value", out);
        } else if (map.get("node") instanceof Map && !map.containsKey("plugins")) {
            collect(map.get("node"), path + ".node", out);
        } else if (map.get("list") instanceof List && !map.containsKey("plugins")) {
            collect(map.get("list"), path + ".list", out);
        } else if (map.get("routes") instanceof List && !map.containsKey("plugins")) {
            collect(map.get("routes"), path + ".routes", out);
        } else {
            Object id = map.get("id");
            Object uri = map.containsKey("uri") ? map.get("uri") : map.get("uris");
            String label = (id == null ? "route #" + (out.size() + 1) : "route " + Json.write(id)) + (uri == null ? "" : " " + Json.write(uri));
            out.add(new Route(label, map));
        }
    }

    /**
     * Every {@code ext-plugin-*} conf item of {@code route}, phase by phase, then a problem entry for
     * each other {@code ext-plugin-*} key (a misspelled phase, whose plugins would never run).
     */
    public static List<Entry> entries(Map<String, Object> route) {
        List<Entry> out = new ArrayList<>();
        if (!(route.get("plugins") instanceof Map<?, ?> plugins)) {
            return out;
        }
        List<Entry> unknown = new ArrayList<>();
        for (Object key : plugins.keySet()) {
            if (key instanceof String name && name.startsWith("ext-plugin-") && !PHASES.contains(name)) {
                unknown.add(new Entry(name, -1, null, null, "unknown plugin \"" + name + "\": its conf would never"
                        + " reach the runner; APISIX's ext-plugin plugins are " + String.join(", ", PHASES)));
            }
        }
        for (String phase : PHASES) {
            Object plugin = plugins.get(phase);
            if (plugin == null) {
                continue;
            }
            if (!(plugin instanceof Map<?, ?> pluginConf)) {
                out.add(new Entry(phase, -1, null, null, "plugins." + phase + " must be an object, found "
                        + Json.typeOf(plugin)));
                continue;
            }
            Object conf = pluginConf.get("conf");
            if (conf == null) {
                continue;
            }
            if (!(conf instanceof List<?> items) || items.isEmpty()) {
                out.add(new Entry(phase, -1, null, null, "property \"conf\" must be a non-empty array, found "
                        + (conf instanceof List ? "an empty array" : Json.typeOf(conf))));
                continue;
            }
            for (int i = 0; i < items.size(); i++) {
                out.add(entry(phase, i, items.get(i)));
            }
        }
        out.addAll(unknown);
        return out;
    }

    private static Entry entry(String phase, int i, Object item) {
        if (!(item instanceof Map<?, ?> m)) {
            return new Entry(phase, i, null, null, "must be an object with \"name\" and \"value\", found " + Json.typeOf(item));
        }
        Object name = m.get("name");
        Object value = m.get("value");
        String n = name instanceof String s ? s : null;
        if (name == null) {
            return new Entry(phase, i, null, null, "property \"name\" is required");
        }
        if (n == null) {
            return new Entry(phase, i, null, null, "property \"name\" must be a string, found " + Json.typeOf(name));
        }
        if (n.isEmpty() || n.length() > 128) {
            return new Entry(phase, i, n, null, "property \"name\" must be 1 to 128 characters long");
        }
        if (value == null) {
            return new Entry(phase, i, n, null, "property \"value\" is required");
        }
        if (!(value instanceof String v)) {
            return new Entry(phase, i, n, null, "property \"value\" must be a string (APISIX requires the config as"
                    + " JSON text, such as \"value\": " + Json.quote(Json.write(value)) + "), found " + Json.typeOf(value));
        }
        return new Entry(phase, i, n, v, null);
    }
}
