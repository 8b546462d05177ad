package io.github.a6sdk.runtime.dev;

import com.google.gson.stream.JsonWriter;
import com.sun.net.httpserver.HttpExchange;
import io.github.a6sdk.runtime.client.Field;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The built-in upstream: answers 200 with the request it received as JSON, {@code {"method",
 * "uri", "path", "args": {name: value or [values]}, "headers": {...}, "body"}}.
 */
final class Echo {
    private Echo() {}

    static void handle(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        Map<String, List<String>> args = group(HttpCall.parseQuery(ex.getRequestURI().getRawQuery()), false);
        List<Field> headerList = new ArrayList<>();
        ex.getRequestHeaders().forEach((n, vs) -> vs.forEach(v -> headerList.add(new Field(n.toLowerCase(Locale.ROOT), v))));
        StringWriter s = new StringWriter();
        JsonWriter w = new JsonWriter(s);
        w.setIndent("  ");
        w.setSerializeNulls(true);
        w.beginObject();
        w.name("method").value(ex.getRequestMethod());
        w.name("uri").value(ex.getRequestURI().toString());
        w.name("path").value(ex.getRequestURI().getPath());
        w.name("args");
        map(w, args);
        w.name("headers");
        map(w, group(headerList, true));
        w.name("body").value(body.length == 0 ? null : new String(body, StandardCharsets.UTF_8));
        w.endObject().flush();
        byte[] out = (s + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, ex.getRequestMethod().equals("HEAD") ? -1 : out.length);
        if (!ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseBody().write(out);
        }
        ex.close();
    }

    private static Map<String, List<String>> group(List<Field> fields, boolean sort) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (Field f : fields) {
            m.computeIfAbsent(f.name(), k -> new ArrayList<>()).add(f.value());
        }
        if (!sort) {
            return m;
        }
        Map<String, List<String>> sorted = new java.util.TreeMap<>(m);
        return sorted;
    }

    private static void map(JsonWriter w, Map<String, List<String>> m) throws IOException {
        w.beginObject();
        for (Map.Entry<String, List<String>> e : m.entrySet()) {
            w.name(e.getKey());
            if (e.getValue().size() == 1) {
                w.value(e.getValue().get(0));
            } else {
                w.beginArray();
                for (String v : e.getValue()) {
                    w.value(v);
                }
                w.endArray();
            }
        }
        w.endObject();
    }
}
