package io.github.a6sdk.runtime.tools;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A few JSON helpers on gson's streaming reader and writer (no reflection): a plain tree
 * ({@link Map}, {@link List}, {@link String}, {@link Number} as text, {@link Boolean}, {@link #NULL}),
 * re-indenting, and re-serializing a sub-document as text.
 */
public final class Json {
    /** JSON {@code null} in a tree (a map cannot hold {@code null} distinctly from "absent"). */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** A number, kept as its text. */
    public record Num(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    private Json() {}

    /** Parses a whole document into a tree; a malformed document gives an {@link IOException} with its path. */
    public static Object parse(String text) throws IOException {
        JsonReader r = new JsonReader(new StringReader(text));
        r.setStrictness(Strictness.STRICT);
        try {
            Object v = read(r);
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new IOException("unexpected content after the JSON document at " + r.getPath());
            }
            return v;
        } catch (IllegalStateException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static Object read(JsonReader r) throws IOException {
        switch (r.peek()) {
            case BEGIN_OBJECT: {
                Map<String, Object> map = new LinkedHashMap<>();
                r.beginObject();
                while (r.hasNext()) {
                    map.put(r.nextName(), read(r));
                }
                r.endObject();
                return map;
            }
            case BEGIN_ARRAY: {
                List<Object> list = new ArrayList<>();
                r.beginArray();
                while (r.hasNext()) {
                    list.add(read(r));
                }
                r.endArray();
                return list;
            }
            case STRING:
                return r.nextString();
            case NUMBER:
                return new Num(r.nextString());
            case BOOLEAN:
                return r.nextBoolean();
            case NULL:
                r.nextNull();
                return NULL;
            default:
                throw new IOException("unexpected " + r.peek() + " at " + r.getPath());
        }
    }

    /** Writes a tree as compact JSON text. */
    public static String write(Object value) {
        StringWriter out = new StringWriter();
        try {
            JsonWriter w = new JsonWriter(out);
            w.setStrictness(Strictness.LENIENT);
            write(w, value);
            w.flush();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    static void write(JsonWriter w, Object v) throws IOException {
        if (v == null || v == NULL) {
            w.nullValue();
        } else if (v instanceof Map<?, ?> map) {
            w.beginObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                w.name((String) e.getKey());
                write(w, e.getValue());
            }
            w.endObject();
        } else if (v instanceof List<?> list) {
            w.beginArray();
            for (Object o : list) {
                write(w, o);
            }
            w.endArray();
        } else if (v instanceof Num n) {
            w.jsonValue(n.text());
        } else if (v instanceof Boolean b) {
            w.value(b);
        } else {
            w.value(v.toString());
        }
    }

    /**
     * {@code text} re-indented with two spaces, arrays of scalars kept on one line; unchanged when it
     * does not parse.
     */
    public static String pretty(String text) {
        try {
            StringBuilder sb = new StringBuilder();
            pretty(sb, parse(text), "");
            return sb.toString();
        } catch (IOException e) {
            return text;
        }
    }

    private static void pretty(StringBuilder sb, Object v, String indent) {
        if (v instanceof Map<?, ?> map && !map.isEmpty()) {
            sb.append("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                sb.append(indent).append("  ").append(write(e.getKey())).append(": ");
                pretty(sb, e.getValue(), indent + "  ");
                sb.append(++i < map.size() ? ",\n" : "\n");
            }
            sb.append(indent).append('}');
        } else if (v instanceof List<?> list && list.stream().anyMatch(o -> o instanceof Map || o instanceof List)) {
            sb.append("[\n");
            for (int i = 0; i < list.size(); i++) {
                sb.append(indent).append("  ");
                pretty(sb, list.get(i), indent + "  ");
                sb.append(i + 1 < list.size() ? ",\n" : "\n");
            }
            sb.append(indent).append(']');
        } else if (v instanceof List<?> list) {
            sb.append('[');
            for (int i = 0; i < list.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(write(list.get(i)));
            }
            sb.append(']');
        } else {
            sb.append(write(v));
        }
    }

    /** A JSON string literal. */
    public static String quote(String s) {
        return write(s);
    }

    /** The type of a tree value, for messages. */
    public static String typeOf(Object v) {
        if (v == null || v == NULL) {
            return "null";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        if (v instanceof Num) {
            return "a number";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        return "a string";
    }
}
