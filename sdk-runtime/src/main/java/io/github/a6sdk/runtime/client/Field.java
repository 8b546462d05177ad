package io.github.a6sdk.runtime.client;

/** One {@code A6.TextEntry}: a name and a value that may be absent ({@code null}). */
public record Field(String name, String value) {
    public static Field of(String name, String value) {
        return new Field(name, value);
    }

    @Override
    public String toString() {
        return value == null ? name : name + "=" + value;
    }
}
