package io.github.a6sdk.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * One name and value, as the protocol carries headers, query args and conf entries: a header of a
 * Stop, a changed header or arg of a Rewrite, an upstream header, a route's {@code name}/{@code value}
 * conf entry. The value may be {@code null}: a removed header or arg in a Rewrite, a bare
 * {@code ?flag} arg.
 *
 * @param name the name
 * @param value the value, or {@code null}
 */
public record Field(String name, String value) {

    /**
     * A field.
     *
     * @param name the name
     * @param value the value, or {@code null}
     * @return {@code new Field(name, value)}
     */
    public static Field of(String name, String value) {
        return new Field(name, value);
    }

    /** {@code name=value}, or {@code name} alone when there is no value. */
    @Override
    public String toString() {
        return value == null ? name : name + "=" + value;
    }

    io.github.a6sdk.runtime.client.Field toWire() {
        return new io.github.a6sdk.runtime.client.Field(name, value);
    }

    static List<Field> fromWire(List<io.github.a6sdk.runtime.client.Field> fields) {
        List<Field> out = new ArrayList<>(fields.size());
        for (io.github.a6sdk.runtime.client.Field f : fields) {
            out.add(new Field(f.name(), f.value()));
        }
        return List.copyOf(out);
    }

    static List<io.github.a6sdk.runtime.client.Field> toWire(List<Field> fields) {
        List<io.github.a6sdk.runtime.client.Field> out = new ArrayList<>(fields.size());
        for (Field f : fields) {
            out.add(f.toWire());
        }
        return out;
    }
}
